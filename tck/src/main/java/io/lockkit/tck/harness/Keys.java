package io.lockkit.tck.harness;

import io.lockkit.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Fresh keys and text values. Targets are reused across tests and races, so every run MUST use
 * keys no earlier run used: each key carries a random UUID.
 */
public final class Keys {
    private Keys() {}

    /** A key no one has used before, such as {@code lockkit-tck/0b1c…/s01-claim}. */
    public static String fresh(String label) {
        return "lockkit-tck/" + UUID.randomUUID() + "/" + label;
    }

    /** {@code text} as UTF-8 bytes. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code number} as a decimal UTF-8 value. */
    public static byte[] utf8(long number) {
        return utf8(Long.toString(number));
    }

    /** A stored decimal value as a number. */
    public static long number(Versioned value) {
        return Long.parseLong(value.valueAsString().strip());
    }
}
