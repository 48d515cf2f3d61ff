package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How keys are stored and hashed: injective, UTF-8 for well-formed keys, stable advisory ids. */
class KeyCodecTest {
    @Test
    void wellFormedKeysAreStoredAsTheirUtf8Bytes() {
        for (String key : new String[] {"job-42", "ключ", "鍵", "emoji 🔒", "nul\u0000inside"}) {
            assertThat(KeyCodec.bytes(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unpairedSurrogatesDoNotCollideWithOtherKeys() {
        // Java's UTF-8 encoder turns both into "a?"; stored keys must stay distinct.
        assertThat(KeyCodec.bytes("a\uD800")).isNotEqualTo(KeyCodec.bytes("a?"));
        assertThat(KeyCodec.bytes("a\uD800")).isNotEqualTo(KeyCodec.bytes("a\uDC00"));
    }

    @Test
    void advisoryIdsAreTheFirst8BytesOfSha256AndStable() {
        // sha256sum of "lockkit:job-42" starts 6ee8cb2240d8404c; changing the scheme would split running fleets.
        assertThat(KeyCodec.advisoryId("lockkit", "job-42")).isEqualTo(KeyCodec.advisoryId("lockkit", "job-42"));
        assertThat(KeyCodec.advisoryId("lockkit", "job-42")).isNotEqualTo(KeyCodec.advisoryId("other", "job-42"));
        assertThat(Long.toHexString(KeyCodec.advisoryId("lockkit", "job-42"))).isEqualTo("6ee8cb2240d8404c");
    }
}
