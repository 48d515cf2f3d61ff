package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.testkit.redis.RedisTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The key layout is injective (E1): two distinct user keys never share a Redis key, and a lock
 * never shares one with a value, whatever characters the keys hold (hash-tag braces, separators,
 * escapes, NUL, look-alike Unicode).
 */
@DisplayName("Redis key layout")
class RedisKeysTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** Pairs that an escaping, decoding, normalising or separator-splitting layout would merge. */
    private static final List<List<String>> LOOK_ALIKES = List.of(
            List.of("?", "%3F"),
            List.of("%", "%25"),
            List.of("{a}", "a"),
            List.of("{a}", "{a}x"),
            List.of("{", "}"),
            List.of("a:b", "a"),
            List.of("lock:a", "a"),
            List.of("value:a", "a"),
            List.of(":a", "a"),
            List.of("a/b", "a%2Fb"),
            List.of(".", ".."),
            List.of("a\u0000b", "a"),
            List.of("a\u0000b", "a\u0000c"),
            List.of("\u00e9", "e\u0301"),
            List.of("\uD83D\uDE00", "?"));

    private static final RedisTestServer REDIS = RedisTestServer.get();
    private static final String PREFIX = RedisTestServer.freshPrefix();
    private static RedisBackend a;
    private static RedisBackend b;

    @BeforeAll
    static void open() {
        a = RedisRestartTest.client(REDIS, PREFIX);
        b = RedisRestartTest.client(REDIS, PREFIX);
    }

    @AfterAll
    static void close() {
        a.close();
        b.close();
    }

    @Test
    @DisplayName("E1: look-alike keys are distinct locks")
    void lookAlikeKeysAreDistinctLocks() {
        for (List<String> pair : LOOK_ALIKES) {
            String x = "l" + pair.get(0);
            String y = "l" + pair.get(1);
            Lease held = a.jobLock().tryAcquire(x, LEASE).orElseThrow();
            Lease other = b.jobLock()
                    .tryAcquire(y, LEASE)
                    .orElseThrow(() -> new AssertionError("holding " + show(x) + " blocked " + show(y)));
            assertThat(b.jobLock().tryAcquire(x, LEASE))
                    .as("%s is held", show(x))
                    .isEmpty();
            assertThat(other.release()).isTrue();
            assertThat(held.isValid())
                    .as("releasing %s left %s held", show(y), show(x))
                    .isTrue();
            assertThat(held.release()).isTrue();
        }
    }

    @Test
    @DisplayName("E1: look-alike keys are distinct values, and a lock never shares a Redis key with a value")
    void lookAlikeKeysAreDistinctValues() {
        for (List<String> pair : LOOK_ALIKES) {
            String x = "v" + pair.get(0);
            String y = "v" + pair.get(1);
            Versioned vx = a.versionedUpdate().create(x, utf8("x")).orElseThrow();
            assertThat(b.versionedUpdate().read(y))
                    .as("%s read as %s", show(y), show(x))
                    .isEmpty();
            Versioned vy = b.versionedUpdate()
                    .create(y, utf8("y"))
                    .orElseThrow(() -> new AssertionError("creating " + show(x) + " made " + show(y) + " exist"));
            assertThat(a.versionedUpdate().read(x)).contains(vx);
            assertThat(b.versionedUpdate().delete(y, vy.version())).isTrue();
            assertThat(a.versionedUpdate().read(x)).contains(vx);
            // The same user key as a lock and as a value: two Redis keys.
            Lease lock = a.jobLock().tryAcquire(x, LEASE).orElseThrow();
            assertThat(a.versionedUpdate().read(x)).contains(vx);
            assertThat(lock.release()).isTrue();
            assertThat(a.versionedUpdate().delete(x, vx.version())).isTrue();
        }
    }

    @Test
    @DisplayName("E1: a key or prefix with an unpaired surrogate is refused, nothing written")
    void malformedUtf16IsRefused() {
        for (String bad : List.of("\uD800", "\uDC00", "a\uD800b", "\uDE00\uD83D")) {
            assertThatThrownBy(() -> a.jobLock().tryAcquire(bad, LEASE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("surrogate");
            assertThatThrownBy(() -> a.versionedUpdate().create(bad, utf8("secret")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("surrogate");
        }
        assertThat(a.versionedUpdate().read("?"))
                .as("nothing written under '?'")
                .isEmpty();
        assertThat(a.jobLock().tryAcquire("?", LEASE)).isPresent().get().satisfies(Lease::release);
        var redisson = REDIS.newRedisson(RedisTestServer.newClientName());
        try {
            assertThatThrownBy(() ->
                            RedisBackend.builder(redisson).prefix("p\uD800").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prefix");
        } finally {
            redisson.shutdown();
        }
    }

    private static String show(String key) {
        StringBuilder s = new StringBuilder("'");
        key.chars()
                .forEach(c -> s.append(c < 0x20 || c > 0x7e ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return s.append('\'').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
