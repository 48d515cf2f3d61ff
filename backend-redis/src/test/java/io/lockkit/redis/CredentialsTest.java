package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The user info of every URI in a Redisson message is hidden, whatever characters the password holds. */
class CredentialsTest {
    @Test
    void userInfoIsHiddenWholeWithSlashHashColonAndAt() {
        String message = "connection: RedisConnection@1 [redisClient=[addr=redis://app:p/ss#w:o@rd@127.0.0.1:6379,"
                + "127.0.0.1/127.0.0.1:6379], other=rediss://:x@y@[::1]:6380]";
        String scrubbed = Credentials.scrub(message);
        assertThat(scrubbed)
                .contains("redis://***@127.0.0.1:6379")
                .contains("rediss://***@[::1]:6380")
                .contains("RedisConnection@1")
                .doesNotContain("p/ss")
                .doesNotContain("w:o")
                .doesNotContain("x@y");
    }

    @Test
    void aPasswordWithBlanksIsHiddenWhole() {
        String message =
                "Unable to connect to Redis server: redis://app:pass word @x@127.0.0.1:6379 (other: redis://h:1)";
        String scrubbed = Credentials.scrub(message);
        assertThat(scrubbed)
                .contains("redis://***@127.0.0.1:6379")
                .contains("(other: redis://h:1)")
                .doesNotContain("pass")
                .doesNotContain("word");
    }

    @Test
    void aChainThatShowsUserInfoIsCopiedScrubbedAndOneThatDoesNotIsKept() {
        IllegalStateException inner = new IllegalStateException("addr=redis://:s3cret@h:1");
        RuntimeException outer = new RuntimeException("write failed", inner);
        Throwable scrubbed = Credentials.scrubbed(outer);
        assertThat(scrubbed).isNotSameAs(outer);
        for (Throwable t = scrubbed; t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain("s3cret");
        }
        assertThat(scrubbed.getCause().getMessage()).contains(IllegalStateException.class.getName());
        assertThat(scrubbed.getCause().getStackTrace()).isEqualTo(inner.getStackTrace());
        RuntimeException clean = new RuntimeException("no reply", new IllegalStateException("timeout"));
        assertThat(Credentials.scrubbed(clean)).isSameAs(clean);
    }
}
