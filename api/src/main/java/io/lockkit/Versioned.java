package io.lockkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value as stored, with its version (V2: versions of a key strictly increase, first ≥ 1).
 * Immutable: copies its array in and out; equality by content.
 */
public record Versioned(String key, byte[] value, long version) {
    public Versioned {
        Objects.requireNonNull(key, "key");
        value = Objects.requireNonNull(value, "value").clone();
    }

    /** A copy of the stored bytes. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned other
                && key.equals(other.key)
                && version == other.version
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "Versioned[key=" + key + ", version=" + version + ", value=" + value.length + " bytes]";
    }
}
