package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The key codec on its own: injective on every well-formed key, and every name a valid znode name. */
class KeyCodecTest {
    /** Keys that a lossy or ambiguous encoding would merge, or that ZooKeeper would refuse as they are. */
    static final List<String> ODD_KEYS = List.of(
            "?",
            "%3F",
            "%253F",
            "%",
            "%25",
            "%2525",
            ".",
            "..",
            "...",
            "/",
            "a/b",
            "a%2Fb",
            "a%2fb",
            "\u0000",
            "a\u0000b",
            "a",
            "a\u0000",
            "Case",
            "case",
            "{a}",
            "a b",
            "a_b",
            "a:b",
            "a%3Ab",
            Normalizer.normalize("é", Normalizer.Form.NFC),
            Normalizer.normalize("é", Normalizer.Form.NFD),
            "É",
            "\u0001",
            "\u001F",
            "\u007F",
            "\u0080",
            "\u009F",
            "\uE000",
            "\uF8FF",
            "\uFFF0",
            "\uFFFD",
            "\uFFFF",
            "\uD83D\uDE00",
            "zookeeper",
            "-lock-",
            "x".repeat(256),
            "x".repeat(255),
            "é".repeat(128),
            "😀".repeat(64),
            "\uFFFF".repeat(85) + "x");

    @Test
    @DisplayName("injective: decode(encode(k)) is k and distinct keys get distinct names, every name a valid znode")
    void injectiveAndValidOnOddKeys() {
        Map<String, String> byName = new HashMap<>();
        for (String key : ODD_KEYS) {
            assertThat(key.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Checks.MAX_KEY_BYTES);
            String name = KeyCodec.encode(key);
            assertThat(name).matches("[A-Za-z0-9_%-]+").isNotIn(".", "..");
            assertThat(KeyCodec.decode(name)).isEqualTo(key);
            assertThat(byName.put(name, key)).as("a second key for %s", name).isNull();
            assertThatCode(() -> PathUtils.validatePath("/lockkit/values/" + name))
                    .doesNotThrowAnyException();
            assertThatCode(() -> PathUtils.validatePath("/lockkit/locks/" + name + "/0-lock-", true))
                    .doesNotThrowAnyException();
        }
        assertThat(KeyCodec.encode("?")).isEqualTo("%3F");
        assertThat(KeyCodec.encode("%3F")).isEqualTo("%253F");
        assertThat(KeyCodec.encode("..")).isEqualTo("%2E%2E");
        assertThat(KeyCodec.encode("x".repeat(256))).hasSize(256);
        assertThat(KeyCodec.encode("é".repeat(128))).hasSize(768);
    }

    @Test
    @DisplayName("every single code point (surrogate pairs included) round-trips to a valid znode name")
    void everyCodePointRoundTrips() {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            String key = new String(Character.toChars(cp));
            String name = KeyCodec.encode(key);
            if (!KeyCodec.decode(name).equals(key)) {
                throw new AssertionError("U+" + Integer.toHexString(cp) + " -> " + name);
            }
            if (cp < 0x80 || cp % 251 == 0) { // the name's characters are from a fixed set; spot-check ZooKeeper's rule
                PathUtils.validatePath("/v/" + name);
            }
        }
    }

    @Test
    @DisplayName("a key with an unpaired surrogate is refused, naming the index, instead of becoming '?'")
    void unpairedSurrogatesAreRefused() {
        for (String key : List.of("\uD800", "\uDC00", "a\uD800b", "\uDC00\uD800", "ok\uD83D")) {
            assertThatThrownBy(() -> KeyCodec.encode(key))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("index");
        }
        assertThat(KeyCodec.encode("\uD83D\uDE00")).isEqualTo("%F0%9F%98%80");
    }

    @Test
    @DisplayName("decode refuses names that no key encodes to")
    void decodeRefusesNonCanonicalNames() {
        for (String name : List.of("", "%3f", "%41", "%", "%4", "a.b", "%C3", "%ED%A0%80", "%2E/")) {
            assertThatThrownBy(() -> KeyCodec.decode(name)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
