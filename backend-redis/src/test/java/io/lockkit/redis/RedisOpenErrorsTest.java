package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKit;
import io.lockkit.redis.internal.RedisBackendProvider;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What opening a {@code redis://} URI says when it cannot: an unreachable or silent server, an
 * evicting server, a malformed URI. Each message names the bad part and what to do, and never a
 * credential or an internal script.
 */
@DisplayName("redis:// open errors")
class RedisOpenErrorsTest {
    /** A raw password with the characters that end a URI's parts elsewhere. */
    private static final String SECRET = "p/ss#w@rd";

    private final RedisTestServer redis = RedisTestServer.get();

    /** Through {@link LockKit#open} (with its scrubbing net) and through the provider alone (without it). */
    private static List<RuntimeException> failures(String uri, Map<String, String> options) {
        List<RuntimeException> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (Backend b = i == 0 ? LockKit.open(uri, options) : new RedisBackendProvider().open(uri, options)) {
                throw new AssertionError("opened " + b + " from " + uri);
            } catch (RuntimeException e) {
                out.add(e);
            }
        }
        return out;
    }

    private static void assertNoSecretNorScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage()))
                    .doesNotContain(SECRET)
                    .doesNotContain("p/ss")
                    .doesNotContain("w@rd");
        }
        assertThat(e.getMessage()).doesNotContain(".lua");
    }

    @Test
    @DisplayName("a port where nothing listens: BackendUnavailable naming host:port and the option timeout")
    void unreachablePortNamesServerAndOption() {
        int port = RedisTestServer.freePort();
        String uri = "redis://app:" + SECRET + "@127.0.0.1:" + port + "?timeout=400ms&connectTimeout=200ms";
        long start = System.nanoTime();
        for (RuntimeException e : failures(uri, Map.of())) {
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertThat(e.getMessage())
                    .contains("127.0.0.1:" + port)
                    .contains("timeout=400ms")
                    .contains("connectTimeout=200ms")
                    .contains("refused");
            assertNoSecretNorScript(e);
        }
        // A guard against hanging, not a timing claim: a cold Redisson client on a loaded machine takes seconds.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("the default wait is named too, with how to change it")
    void unreachablePortWithDefaultsNamesTheDefault() {
        int port = RedisTestServer.freePort();
        for (RuntimeException e : failures("rediss://:" + SECRET + "@localhost:" + port, Map.of())) {
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertThat(e.getMessage())
                    .contains("localhost:" + port)
                    .contains("timeout=3s")
                    .contains("default")
                    .contains("?timeout=");
            assertNoSecretNorScript(e);
        }
    }

    @Test
    @DisplayName("a server that accepts TCP but never answers: BackendUnavailable naming host:port and the option")
    void silentServerNamesServerAndOption() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept(); // read nothing, write nothing
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int port = silent.getLocalPort();
            String uri = "redis://app:" + SECRET + "@127.0.0.1:" + port + "/2?timeout=500ms";
            try {
                for (RuntimeException e : failures(uri, Map.of())) {
                    assertThat(e).isInstanceOf(BackendUnavailableException.class);
                    assertThat(e.getMessage())
                            .contains("127.0.0.1:" + port)
                            .contains("timeout=500ms")
                            .contains("no reply");
                    assertNoSecretNorScript(e);
                }
                synchronized (accepted) {
                    assertThat(accepted).as("the client did connect").isNotEmpty();
                }
            } finally {
                synchronized (accepted) {
                    for (Socket s : accepted) {
                        s.close();
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("a wrong password says so, without the password")
    void wrongPasswordSaysSo() {
        String uri = "redis://nobody:" + SECRET + "@" + redis.host() + ":" + redis.port() + "?timeout=1s";
        for (RuntimeException e : failures(uri, Map.of())) {
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertThat(e.getMessage())
                    .contains(redis.host() + ":" + redis.port())
                    .contains("the server refused the credentials")
                    .contains("WRONGPASS");
            assertNoSecretNorScript(e);
        }
    }

    @Test
    @DisplayName("a database the server does not have says so")
    void databaseOutOfRange() {
        String uri = redis.address() + "/999?timeout=1s";
        for (RuntimeException e : failures(uri, Map.of())) {
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertThat(e.getMessage())
                    .contains(redis.host() + ":" + redis.port())
                    .contains("DB index is out of range");
            assertThat(e.getMessage()).doesNotContain(".lua");
        }
    }

    @Test
    @DisplayName("volatile-lru (Memorystore's and ElastiCache's default) is refused naming the URI and map option"
            + " and the risk; either option opens it")
    void managedRedisEvictionPolicy() {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: reconfigures the server, which " + RedisTestServer.URL_ENV + " may share");
        String uri = redis.address() + "?prefix=" + RedisTestServer.freshPrefix();
        try (RedisAdmin admin = redis.admin()) {
            admin.commands().configSet("maxmemory-policy", "volatile-lru");
            try {
                for (RuntimeException e : failures(redis.address(), Map.of())) {
                    assertThat(e).isInstanceOf(IllegalStateException.class);
                    assertThat(e.getMessage())
                            .contains("volatile-lru")
                            .contains("?evictionPolicyCheck=warn")
                            .contains("options map")
                            .contains("noeviction")
                            .contains("held lock");
                }
                try (Backend b = LockKit.open(
                        redis.address() + "?evictionPolicyCheck=warn&prefix=" + RedisTestServer.freshPrefix())) {
                    assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                            .isPresent();
                }
                try (Backend b = LockKit.open(
                        redis.address(),
                        Map.of("evictionPolicyCheck", "warn", "prefix", RedisTestServer.freshPrefix()))) {
                    assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                            .isPresent();
                }
                // allkeys-*: the risk named is wider.
                admin.commands().configSet("maxmemory-policy", "allkeys-lru");
                assertThatThrownBy(() -> LockKit.open(uri))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("allkeys-lru")
                        .hasMessageContaining("fencing token");
            } finally {
                admin.commands().configSet("maxmemory-policy", "noeviction");
            }
        }
    }

    @Test
    @DisplayName("a bad URI names the bad part and why, for redis:// and rediss://, without the password")
    void badUrisSayWhy() {
        String auth = "app:" + SECRET + "@";
        for (String scheme : List.of("redis", "rediss", "Redis", "REDISS")) {
            String base = scheme + "://" + auth;
            List<List<String>> cases = List.of(
                    List.of(base + "127.0.0.1:99999", "port '99999'", "1 to 65535"),
                    List.of(base + "127.0.0.1:0", "port '0'", "1 to 65535"),
                    List.of(base + "127.0.0.1:6x79", "port '6x79'", "1 to 65535"),
                    List.of(base + "127.0.0.1:", "port ''", "1 to 65535"),
                    List.of(base + ":6379", "no host", "host[:port]"),
                    List.of(base + "/0", "no host", "host[:port]"),
                    // Where a password with '@' ends is unknown when no host follows: nothing of it is shown.
                    List.of(base + "ho st:6379", "no host[:port] follows its last '@'", "expected a host name"),
                    List.of(scheme + "://ho st:6379", "bad host 'ho st:6379'", "expected a host name"),
                    List.of(scheme + "://::1:6379", "bad host '::1:6379'", "in brackets"),
                    List.of(base + "[::1:6379", "host '[::1:6379'", "expected a host name"),
                    List.of(base + "127.0.0.1:6379/zero", "database 'zero'", "0 to"),
                    List.of(base + "127.0.0.1:6379/-1", "database '-1'", "0 to"),
                    List.of(base + "127.0.0.1:6379/0/1", "database '0/1'", "0 to"),
                    List.of(base + "127.0.0.1:6379/99999999999", "database '99999999999'", "0 to"),
                    List.of(base + "127.0.0.1?timeout=1s&timeout=2s", "timeout", "twice in the URI"),
                    List.of(base + "127.0.0.1?timeout=PT8760000H", "timeout=PT8760000H", "at most 365 days"),
                    List.of(base + "127.0.0.1?timeout=0s", "timeout=0s", "positive"),
                    List.of(base + "127.0.0.1?timeout=%zz", "bad percent-escape", "option timeout"),
                    List.of(base + "127.0.0.1?clientName=a%20b", "clientName=a b", "no spaces"));
            for (List<String> c : cases) {
                for (RuntimeException e : failures(c.get(0), Map.of())) {
                    assertThat(e).as(c.get(0)).isInstanceOf(IllegalArgumentException.class);
                    assertThat(e.getMessage()).as(c.get(0)).contains(c.get(1)).contains(c.get(2));
                    if (c.get(0).contains("@") && !c.get(1).startsWith("no host")) {
                        // LockKit.open may hand the provider the scheme lower-cased.
                        assertThat(e.getMessage()).as(c.get(0)).containsIgnoringCase(scheme + "://***@");
                    }
                    assertNoSecretNorScript(e);
                }
            }
        }
    }

    @Test
    @DisplayName("an option both in the URI and in the map is refused naming both, with every other bad option")
    void optionInUriAndMap() {
        for (RuntimeException e :
                failures("redis://:" + SECRET + "@127.0.0.1?timeout=1s&colour=blue", Map.of("timeout", "2s"))) {
            assertThat(e).isInstanceOf(IllegalArgumentException.class);
            assertThat(e.getMessage())
                    .contains("timeout")
                    .contains("both in the URI and in the options map")
                    .contains("colour (unknown option");
            assertNoSecretNorScript(e);
        }
    }

    @Test
    @DisplayName("an upper-case scheme is a Redis URI all the same")
    void upperCaseSchemeOpens() {
        String hostPort = redis.host() + ":" + redis.port();
        try (Backend b = new RedisBackendProvider()
                .open("REDIS://" + hostPort + "?prefix=" + RedisTestServer.freshPrefix(), Map.of())) {
            assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5))).isPresent();
        }
    }
}
