package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import io.lockkit.zookeeper.internal.ZooKeeperBackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A bad {@code zookeeper://} URI or option says which part is bad and why, through {@link
 * LockKit#open} and through the provider alone (without LockKit's scrubbing net), never showing
 * the password; none of these reaches a server.
 */
@DisplayName("zookeeper:// URI errors")
class ZooKeeperUriErrorsTest {
    /** A raw password with the characters that end a URI's parts elsewhere. */
    private static final String SECRET = "p/ss#w@rd";

    private static List<RuntimeException> failures(String uri, Map<String, String> options) {
        List<RuntimeException> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (Backend b = i == 0 ? LockKit.open(uri, options) : new ZooKeeperBackendProvider().open(uri, options)) {
                throw new AssertionError("opened " + b + " from " + uri);
            } catch (RuntimeException e) {
                out.add(e);
            }
        }
        return out;
    }

    private static void assertNoSecret(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage()))
                    .doesNotContain(SECRET)
                    .doesNotContain("p/ss")
                    .doesNotContain("w@rd");
        }
    }

    @Test
    @DisplayName("a bad port, host, host list, chroot, user info or option names the part and the reason")
    void badPartsSayWhy() {
        String auth = "zookeeper://alice:" + SECRET + "@";
        List<List<String>> cases = List.of(
                List.of(auth + "h:99999", "port '99999' of 'h:99999'", "1 to 65535"),
                List.of(auth + "h:0", "port '0' of 'h:0'", "1 to 65535"),
                List.of(auth + "h:2181,g:0", "port '0' of 'g:0'", "1 to 65535"),
                List.of(auth + "h", "host 'h'", "no default port"),
                List.of(auth + "h:2181,,g:2181", "an empty host in the list", "host:port,host:port"),
                List.of("zookeeper://", "no host:port", "zookeeper://host:port"),
                List.of("zookeeper://ho st:2181", "host 'ho st'", "expected a host name"),
                List.of("zookeeper://::1:2181", "host '::1'", "in brackets"),
                List.of(auth + "h:2181//x", "chroot '//x'", "expected /name"),
                List.of("zookeeper://alice@h:2181", "user info", "expected user:password"),
                List.of(auth + "h:2181?timeout=1s&timeout=2s", "timeout", "twice in the URI"),
                List.of(auth + "h:2181?timeout=PT8760000H", "timeout=PT8760000H", "at most 365 days"),
                List.of(auth + "h:2181?sessionTimeout=0s", "sessionTimeout=0s", "positive"),
                List.of(auth + "h:2181?root=nos", "root=nos", "/"),
                List.of(
                        auth + "h:2181?sessionTimeout=3s&driftMargin=2s",
                        "driftMargin=PT2S is more than half the sessionTimeout=PT3S",
                        "session timeout less the margin"),
                List.of(auth + "h:2181?timeout=%zz", "bad percent escape", "%25"));
        for (List<String> c : cases) {
            for (RuntimeException e : failures(c.get(0), Map.of())) {
                assertThat(e).as(c.get(0)).isInstanceOf(IllegalArgumentException.class);
                assertThat(e.getMessage()).as(c.get(0)).contains(c.get(1)).contains(c.get(2));
                if (c.get(0).startsWith(auth)) {
                    assertThat(e.getMessage()).as(c.get(0)).contains("zookeeper://***@");
                }
                assertNoSecret(e);
            }
        }
    }

    @Test
    @DisplayName("an option both in the URI and in the map is refused naming both")
    void optionInUriAndMap() {
        for (RuntimeException e :
                failures("zookeeper://alice:" + SECRET + "@h:2181?timeout=1s&colour=blue", Map.of("timeout", "2s"))) {
            assertThat(e).isInstanceOf(IllegalArgumentException.class);
            assertThat(e.getMessage())
                    .contains("timeout (given both in the URI and in the options map)")
                    .contains("colour (unknown option");
            assertNoSecret(e);
        }
    }

    @Test
    @DisplayName("a timeout over the builder's 1 day is refused naming the option, before any connection")
    void timeoutOverOneDay() {
        for (RuntimeException e : failures("zookeeper://h:2181?timeout=PT48H&sessionTimeout=PT48H", Map.of())) {
            assertThat(e).isInstanceOf(IllegalArgumentException.class);
            assertThat(e.getMessage()).contains("timeout=PT48H").contains("at most 1 day");
        }
    }

    @Test
    @DisplayName("an upper-case scheme is a ZooKeeper URI all the same")
    void upperCaseScheme() {
        ZooKeeperTestServer server = ZooKeeperTestServer.shared();
        try (Backend b = new ZooKeeperBackendProvider()
                .open("ZooKeeper://" + server.connectString() + "?timeout=5s", Map.of())) {
            assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5))).isPresent();
        }
    }
}
