package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.LockKit;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How keys are stored and hashed: injective, UTF-8 for well-formed keys, stable advisory ids. */
class KeyCodecTest {
    @Test
    void wellFormedKeysAreStoredAsTheirUtf8Bytes() {
        for (String key : new String[] {"job-42", "ключ", "鍵", "emoji 🔒", "nul\u0000inside"}) {
            assertThat(KeyBytes.bytes(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unpairedSurrogatesDoNotCollideWithOtherKeys() {
        // Java's UTF-8 encoder turns both into "a?"; stored keys must stay distinct.
        assertThat(KeyBytes.bytes("a\uD800")).isNotEqualTo(KeyBytes.bytes("a?"));
        assertThat(KeyBytes.bytes("a\uD800")).isNotEqualTo(KeyBytes.bytes("a\uDC00"));
    }

    @Test
    void aNamespaceWithAColonIsRefusedSoNamespaceAndKeySplitOneWayOnly() {
        // "a:b" + ":" + "c" and "a" + ":" + "b:c" hash the same name: the first is not a namespace
        assertThatThrownBy(() -> KeyCodec.advisoryId("a:b", "c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a:b'");
        assertThatThrownBy(() -> PostgresBackend.builder(PostgresTestServer.unreachable())
                        .namespace("a:b")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace='a:b'");
        assertThatThrownBy(() -> LockKit.open("jdbc:postgresql://127.0.0.1:1/x", Map.of("namespace", "a:b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace='a:b'");
        assertThat(KeyCodec.advisoryId("a", "b:c")).isNotEqualTo(KeyCodec.advisoryId("a", "b"));
    }

    @Test
    void advisoryIdsAreTheFirst8BytesOfSha256AndStable() {
        // sha256sum of "lockkit:job-42" starts 6ee8cb2240d8404c; changing the scheme would split running fleets.
        assertThat(KeyCodec.advisoryId("lockkit", "job-42")).isEqualTo(KeyCodec.advisoryId("lockkit", "job-42"));
        assertThat(KeyCodec.advisoryId("lockkit", "job-42")).isNotEqualTo(KeyCodec.advisoryId("other", "job-42"));
        assertThat(Long.toHexString(KeyCodec.advisoryId("lockkit", "job-42"))).isEqualTo("6ee8cb2240d8404c");
    }
}
