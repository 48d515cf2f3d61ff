package io.lockkit.zookeeper;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Maps a key to the one znode name under which its lock queue ({@code <root>/locks/<name>}) and
 * its value ({@code <root>/values/<name>}) live. The name is the key's UTF-8 bytes, with ASCII
 * letters, digits, {@code -} and {@code _} kept and every other byte written {@code %XX} (two
 * upper-case hex digits). Thread-safe.
 *
 * <p>What holds for every key that is well-formed UTF-16 (the only keys {@code Checks.key} lets
 * through; see {@link #encode}):
 *
 * <ul>
 *   <li><b>Injective</b>: {@code decode(encode(k))} is {@code k}, so two distinct keys never share a
 *       node, for locks or for values. {@code %} is escaped too, so {@code ?} ({@code %3F}), {@code
 *       %3F} ({@code %253F}), {@code %} ({@code %25}) and {@code %25} ({@code %2525}) are four
 *       names. Keys are compared as code points: neither normalised (NFC {@code é} is {@code %C3%A9},
 *       NFD {@code e}+U+0301 is {@code e%CC%81}) nor case-folded ({@code A} and {@code a} stay
 *       apart).
 *   <li><b>A valid child name</b>: only {@code A–Z a–z 0–9 - _ %}, so it never contains {@code /}
 *       ({@code %2F}), is never {@code .} or {@code ..} ({@code %2E}, {@code %2E%2E}) and holds no
 *       character that ZooKeeper's {@code PathUtils.validatePath} refuses (NUL, U+0001–U+001F,
 *       U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF: all are escaped, as is every non-ASCII
 *       character). It is never empty, since keys are not.
 *   <li><b>Length</b>: at most three characters per UTF-8 byte of the key: 768 for the longest key
 *       (256 bytes), far below what a ZooKeeper request may carry.
 * </ul>
 */
final class KeyCodec {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private KeyCodec() {}

    /**
     * The node name of {@code key}.
     *
     * @throws IllegalArgumentException naming the index when {@code key} holds an unpaired surrogate:
     *     such a string has no UTF-8 form ({@code String.getBytes} would write {@code ?} for it, so
     *     {@code "\uD800"}, {@code "\uDC00"} and {@code "?"} would share one node)
     */
    static String encode(String key) {
        checkWellFormed(key);
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (kept(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * The key whose {@link #encode} is {@code name}.
     *
     * @throws IllegalArgumentException when no key encodes to {@code name}
     */
    static String decode(String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 2 < name.length() && hex(name.charAt(i + 1)) >= 0 && hex(name.charAt(i + 2)) >= 0) {
                bytes.write(hex(name.charAt(i + 1)) << 4 | hex(name.charAt(i + 2)));
                i += 2;
            } else if (c < 0x80 && kept(c)) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("'" + name + "' is not a lockkit key name (at index " + i + ")");
            }
        }
        String key;
        try {
            key = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + name + "' is not a lockkit key name (not UTF-8)", e);
        }
        if (key.isEmpty() || !encode(key).equals(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a lockkit key name (not the canonical form)");
        }
        return key;
    }

    private static void checkWellFormed(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(
                        "key is not well-formed UTF-16: unpaired surrogate U+%04X at index %d", (int) c, i));
            }
        }
    }

    private static boolean kept(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
