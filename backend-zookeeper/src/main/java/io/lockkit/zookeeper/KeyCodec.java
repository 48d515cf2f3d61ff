package io.lockkit.zookeeper;

import java.nio.charset.StandardCharsets;

/**
 * Maps any key to one safe znode name: ASCII letters, digits, {@code -} and {@code _} stay, every
 * other UTF-8 byte becomes {@code %XX}. Injective ({@code %} itself is encoded), so two keys never
 * share a node, and the result never contains {@code /}, is never {@code .} or {@code ..}, and has no
 * character ZooKeeper rejects. Thread-safe.
 */
final class KeyCodec {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private KeyCodec() {}

    static String encode(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
