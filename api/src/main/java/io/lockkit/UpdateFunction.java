package io.lockkit;

import java.util.Optional;

/**
 * The caller's step in {@link Updater#update}: given the current value (empty when the key is
 * absent), returns the value to write, or empty to decline. MAY be called once per attempt, so it
 * MUST NOT have side effects that cannot be repeated.
 */
@FunctionalInterface
public interface UpdateFunction {
    Optional<byte[]> apply(Optional<Versioned> current);
}
