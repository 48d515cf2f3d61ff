package io.lockkit.tck.internal;

import io.lockkit.spi.Checks;
import io.lockkit.tck.harness.Keys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Valid keys that are easy to get wrong (E1: keys are 1–256 UTF-8 bytes of any characters, and
 * backends encode them): the shortest, the longest in ASCII and in multi-byte characters, and
 * characters that break naive SQL, Lua, paths or Redis cluster tags. Pairs differ only where a lossy
 * encoding (case folding, escaping, truncation) would make them collide.
 */
public final class OddKeys {
    private OddKeys() {}

    /** Fresh valid keys with unusual lengths and characters. */
    public static List<String> valid() {
        String p = Keys.fresh("");
        return List.of(
                String.valueOf((char) ('a' + ThreadLocalRandom.current().nextInt(26))),
                padTo256(p, "k"),
                padTo256(p + "e", "é"),
                padTo256(p + "s", "😀"),
                p + "spaces and 'quotes' \"double\" `back` ; -- /* */ %s %n \\ ",
                p + "line\nbreak\ttab\u0000nul",
                p + "{redis}:tag*?[x]",
                p + "../../path/.",
                p + "日本語 עברית");
    }

    /** Fresh pairs of distinct keys that a lossy encoding would merge. */
    public static List<List<String>> distinctPairs() {
        String p = Keys.fresh("");
        return List.of(
                List.of(p + "Case", p + "case"),
                List.of(p + "a b", p + "a_b"),
                List.of(p + "a/b", p + "a%2Fb"),
                List.of(p + "a\u0000b", p + "a"),
                List.of(p + "É", p + "é"),
                List.of(p + "q?", p + "q%3F"),
                List.of(p + "r?", p + "r\uFFFD"),
                List.of(p + "s%", p + "s%25"),
                List.of(p + "té", p + "te\u0301"), // NFC and NFD of the same text are different keys
                List.of(p + "u{a}", p + "ua"),
                List.of(p + "v{a}b", p + "va{b}"),
                List.of(p + "w.", p + "w.."),
                List.of(p + "xa/..", p + "xa"),
                List.of(p + "ya:b", p + "ya\\:b"),
                List.of(p + "z\u0000", p + "z\u0000\u0000"),
                List.of(padTo256(p + "t", "x"), padTo256(p + "t", "x").substring(0, 255)),
                // the same 32-bit hash, whatever the common prefix: String.hashCode ("Aa", "BB") and CRC32
                // ("plumless", "buckeroo"), lock names hashed to an advisory lock id (INCIDENTS.md row 22)
                List.of(p + "Aa", p + "BB"),
                List.of(p + "plumless", p + "buckeroo"));
    }

    /** {@code prefix} padded with {@code pad} to at most 256 UTF-8 bytes, then with ASCII to exactly 256. */
    public static String padTo256(String prefix, String pad) {
        StringBuilder key = new StringBuilder(prefix);
        int padBytes = pad.getBytes(StandardCharsets.UTF_8).length;
        while (bytes(key) + padBytes <= Checks.MAX_KEY_BYTES) {
            key.append(pad);
        }
        while (bytes(key) < Checks.MAX_KEY_BYTES) {
            key.append('x');
        }
        return key.toString();
    }

    private static int bytes(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** How a key is shown in a message: escaped, so NUL and line breaks stay visible. */
    public static String show(String key) {
        StringBuilder out = new StringBuilder();
        key.codePoints().forEach(c -> {
            if (c < 0x20) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return "\"" + out + "\" (" + key.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }
}
