package io.lockkit.jdbc.internal;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * How keys are stored. Keys may hold any characters, {@code U+0000} included, so they are stored as
 * bytes ({@code bytea}, {@code VARBINARY}): the UTF-8 bytes of the key, with an unpaired surrogate
 * written as its 3-byte form (as WTF-8 does) so that two different strings never share bytes.
 * Stateless.
 */
public final class KeyBytes {
    private KeyBytes() {}

    /** The stored bytes of {@code key}: plain UTF-8 for every well-formed string. */
    public static byte[] bytes(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length() + 8);
        key.codePoints().forEach(c -> {
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | c >> 6);
                out.write(0x80 | c & 0x3F);
            } else if (c < 0x10000) { // unpaired surrogates land here too
                out.write(0xE0 | c >> 12);
                out.write(0x80 | c >> 6 & 0x3F);
                out.write(0x80 | c & 0x3F);
            } else {
                out.write(0xF0 | c >> 18);
                out.write(0x80 | c >> 12 & 0x3F);
                out.write(0x80 | c >> 6 & 0x3F);
                out.write(0x80 | c & 0x3F);
            }
        });
        return out.toByteArray();
    }

    /**
     * The name of a key's release for its waiters (PostgreSQL's NOTIFY payload): its stored bytes in
     * URL-safe Base64 (at most 344 characters).
     */
    public static String payload(byte[] key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
