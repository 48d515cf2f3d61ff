package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.AclSetuserArgs;
import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.redis.internal.RedisBackendProvider;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Discovery of {@code redis://} and {@code rediss://}, and option validation (E1, E2). */
@DisplayName("redis:// provider")
class RedisBackendProviderTest {
    private final RedisTestServer redis = RedisTestServer.get();

    @Test
    @DisplayName("LockKit.open finds the Redis backend, which works and declares what it promises")
    void opensAWorkingBackend() {
        try (Backend b = LockKit.open(redis.address() + "?prefix=" + RedisTestServer.freshPrefix() + "&timeout=2s")) {
            assertThat(b.name()).isEqualTo("redis");
            assertThat(b.capabilities())
                    .containsExactlyInAnyOrder(
                            Capability.TIMED_LEASE,
                            Capability.RELEASE_NOTIFICATION,
                            Capability.FENCING_SURVIVES_STORE_RESTART);
            Lease lease = b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    @DisplayName("clientName names the client's connections, so CLIENT LIST and CLIENT KILL find them")
    void clientNameNamesTheConnections() {
        String name = RedisTestServer.newClientName("provider");
        try (Backend b =
                LockKit.open(redis.address(), Map.of("prefix", RedisTestServer.freshPrefix(), "clientName", name))) {
            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
            try (RedisAdmin admin = redis.admin()) {
                assertThat(admin.commands().clientList()).contains(" name=" + name + " ");
            }
        }
        assertThatThrownBy(() -> LockKit.open(redis.address(), Map.of("clientName", "two words")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientName");
    }

    @Test
    @DisplayName(
            "transport: auto and epoll run on Netty's native epoll where it loads, nio on Java's; a bad value is named")
    void transportPicksNettysEventLoop() {
        assumeTrue(RedisBackendProvider.epollUnavailable() == null, "epoll loads here");
        for (String transport : List.of("auto", "epoll", "nio")) {
            String used = transport.equals("nio") ? "NioEventLoop" : "EpollEventLoop";
            String unused = transport.equals("nio") ? "EpollEventLoop" : "NioEventLoop";
            Map<String, Set<Long>> before = Map.of(used, eventLoops(used), unused, eventLoops(unused));
            try (Backend b = LockKit.open(
                    redis.address(), Map.of("prefix", RedisTestServer.freshPrefix(), "transport", transport))) {
                assertThat(b.jobLock()
                                .tryAcquire("k", Duration.ofSeconds(5))
                                .orElseThrow()
                                .release())
                        .isTrue();
                assertThat(eventLoops(used))
                        .as("transport=" + transport + ": a new " + used + " thread")
                        .isNotEmpty()
                        .anyMatch(id -> !before.get(used).contains(id));
                assertThat(eventLoops(unused))
                        .as("transport=" + transport + ": no new " + unused + " thread")
                        .allMatch(id -> before.get(unused).contains(id));
            }
        }
        assertThatThrownBy(() -> LockKit.open(redis.address(), Map.of("transport", "kqueue")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transport=kqueue")
                .hasMessageContaining("[auto, epoll, nio]");
    }

    /** The threads now running Netty's event loop class {@code simpleName} (NioEventLoop, EpollEventLoop). */
    private static Set<Long> eventLoops(String simpleName) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().endsWith("." + simpleName)))
                .map(e -> e.getKey().getId())
                .collect(Collectors.toSet());
    }

    @Test
    @DisplayName("E1: every bad option is reported at once, and the password never appears")
    void e1_badOptionsAreListedWithoutCredentials() {
        assertThatThrownBy(() -> LockKit.open(
                        "redis://app:s3cret@127.0.0.1:1?timeout=soon&colour=blue",
                        Map.of("evictionPolicyCheck", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=soon")
                .hasMessageContaining("colour")
                .hasMessageContaining("evictionPolicyCheck=maybe")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E1: a timeout over a day is refused naming the option, before any client starts")
    void e1_aTimeoutOverADayIsRefused() {
        assertThatThrownBy(() -> LockKit.open("redis://app:s3cret@127.0.0.1:1?timeout=PT48H"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=PT48H (expected at most 1 day)")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E1: a bad database and a malformed URI fail without showing credentials")
    void e1_badUrisFailWithoutCredentials() {
        assertThatThrownBy(() -> LockKit.open("redis://:s3cret@127.0.0.1:1/zero"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> LockKit.open("rediss://:s3cret@bad host/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E2: an unreachable address fails with BackendUnavailable within the timeout, without credentials")
    void e2_unreachableAddressIsUnavailable() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> LockKit.open("redis://:s3cret@127.0.0.1:" + RedisTestServer.freePort()
                        + "?timeout=300ms&connectTimeout=200ms"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageNotContaining("s3cret");
        // A guard against hanging, not a timing claim: a cold Redisson client on a loaded machine takes seconds.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    /** Raw passwords a user writes into a URI, each with the form it is written in. */
    private static final List<List<String>> PASSWORDS = List.of(
            List.of("pa/ss", "pa/ss"),
            List.of("se#cret", "se#cret"),
            List.of("p@ss@word", "p@ss@word"),
            List.of("a+b c", "a+b%20c"),
            List.of("pa/ss2", "pa%2Fss2"),
            List.of("q?x=1&y", "q?x=1&y"),
            List.of("per%cent", "per%25cent"),
            List.of("s\u00e9sam:e", "s%C3%A9sam:e"));

    @Test
    @DisplayName("E1: a password with / # @ + ? : or an escape opens the backend, decoded by percent-decoding only")
    void e1_passwordsAreParsedByStructure() {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: adds an ACL user to the server, which " + RedisTestServer.URL_ENV + " may share");
        String host = redis.address().substring("redis://".length());
        try (RedisAdmin admin = redis.admin()) {
            for (List<String> pw : PASSWORDS) {
                String password = pw.get(0);
                String user = "lockkit-pw-" + Integer.toHexString(password.hashCode());
                assertThat(admin.commands()
                                .aclSetuser(
                                        user,
                                        AclSetuserArgs.Builder.reset()
                                                .on()
                                                .addPassword(password)
                                                .allKeys()
                                                .allChannels()
                                                .allCommands()))
                        .isEqualTo("OK");
                try (Backend b = LockKit.open("redis://" + user + ":" + pw.get(1) + "@" + host + "/0?prefix="
                        + RedisTestServer.freshPrefix())) {
                    Lease lease =
                            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
                    assertThat(lease.release()).isTrue();
                } catch (RuntimeException e) {
                    throw new AssertionError("password written as '" + pw.get(1) + "' did not open", e);
                } finally {
                    admin.commands().aclDeluser(user);
                }
            }
            // redis://:password@host authenticates the default user; give it the password for a moment.
            String password = "d/e#f@g+h";
            admin.commands()
                    .aclSetuser("default", AclSetuserArgs.Builder.resetpass().addPassword(password));
            try {
                admin.commands().auth(password);
                for (String form : List.of(
                        "redis://:" + password + "@" + host,
                        "redis://" + password + "@" + host,
                        "redis://:d%2Fe%23f%40g%2Bh@" + host)) {
                    try (Backend b = LockKit.open(form + "?prefix=" + RedisTestServer.freshPrefix())) {
                        assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                                .isPresent();
                    }
                }
                assertThatThrownBy(() -> LockKit.open("redis://:d/e#f@g%20h@" + host + "?timeout=1s"))
                        .as("'+' is not a space: 'g h' is a wrong password, refused")
                        .isInstanceOf(RuntimeException.class)
                        .hasMessageNotContaining("d/e#f");
            } finally {
                admin.commands().aclSetuser("default", AclSetuserArgs.Builder.nopass());
            }
        }
    }

    @Test
    @DisplayName("E1/E2: no message shows a password, whatever it holds, for redis:// and rediss://")
    void e1_noMessageShowsThePassword() {
        for (String scheme : List.of("redis", "rediss")) {
            for (List<String> pw : PASSWORDS) {
                String secret = pw.get(1);
                String auth = scheme + "://app:" + secret + "@";
                String port = Integer.toString(RedisTestServer.freePort());
                List<String> bad = List.of(
                        auth + "127.0.0.1:" + port + "?timeout=soon",
                        auth + "127.0.0.1:" + port + "/zero",
                        auth + "127.0.0.1:notaport",
                        auth + "/0",
                        scheme + "://:" + secret + "@127.0.0.1:" + port + "?colour=blue",
                        scheme + "://" + secret + "@127.0.0.1:" + port + "/-1");
                for (String uri : bad) {
                    assertThatThrownBy(() -> LockKit.open(uri))
                            .as(uri)
                            .isInstanceOf(IllegalArgumentException.class)
                            .satisfies(e -> assertNoSecret(e, pw));
                }
                assertThatThrownBy(
                                () -> LockKit.open(auth + "127.0.0.1:" + port + "?timeout=300ms&connectTimeout=200ms"))
                        .isInstanceOf(BackendUnavailableException.class)
                        .satisfies(e -> assertNoSecret(e, pw));
            }
        }
    }

    /** Neither the message nor any cause's message shows the password, written or decoded. */
    private static void assertNoSecret(Throwable e, List<String> pw) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(pw.get(1)).doesNotContain(pw.get(0));
        }
    }
}
