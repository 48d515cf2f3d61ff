package io.lockkit;

import java.util.Optional;

/**
 * Optimistic compare-and-set on versioned values. Implementations MUST be thread-safe and
 * linearizable per key (V1). Keys are well-formed UTF-16 of 1–256 UTF-8 bytes, values at most 512
 * KiB (E1).
 *
 * <p>A fencing token passed to a fenced write is the {@link Lease#token()} of a lease from the same
 * store's {@link JobLock}: a store may refuse (fence out) a token it never granted, such as one
 * from before a restart that lost its fences.
 */
public interface VersionedUpdate {
    /** The current value, or empty when the key is absent or deleted. */
    Optional<Versioned> read(String key);

    /** Creates {@code key}; empty when it already exists. The version is ≥ 1 and greater than any earlier version of the key, also one deleted since (V2). */
    Optional<Versioned> create(String key, byte[] value);

    /**
     * {@link #create(String, byte[])} fenced by a lease token (V3). It MUST throw {@link
     * FencedOutException} when a larger token has already written the key, also when the key was
     * deleted since (the fence survives delete) and also when the key exists: the fence is checked
     * before existence, as the fenced compare-and-set checks it before the version. Otherwise it MUST
     * be empty when the key exists, and a successful create MUST record {@code fencingToken} as the
     * key's fence, so a later write fenced with a lower token is fenced out. Nothing is written when
     * it throws or is empty. One atomic operation, like the fenced compare-and-set.
     *
     * <p>The retrying {@link Updater} uses it to create an absent key when it writes with a token, so
     * a zombie holder cannot bring back a key the current holder deleted.
     *
     * @throws IllegalArgumentException when {@code fencingToken} is below 1, or the key or value is
     *     out of bounds (E1)
     * @throws OutcomeUnknownException when the write was sent and its result is unknown (V4)
     */
    Optional<Versioned> create(String key, byte[] value, long fencingToken);

    /**
     * Writes {@code value} if the stored version is {@code expectedVersion}. Of concurrent calls with
     * the same expected version exactly one succeeds (V1). Empty on conflict: the version moved on,
     * or the key is gone.
     *
     * @throws OutcomeUnknownException when the write was sent and its result is unknown (V4)
     */
    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value);

    /**
     * {@link #compareAndSet(String, long, byte[])} fenced by a lease token (V3): throws {@link
     * FencedOutException} when a larger token has already written the key, whatever the expected
     * version, also after the key was deleted. A successful write records {@code fencingToken}.
     */
    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken);

    /**
     * Deletes {@code key} if its version is {@code expectedVersion}; false on conflict or absence.
     * The deleted key keeps its version and fence, so a later create gets a larger version (V2) and a
     * lower token stays fenced out (V3).
     *
     * @throws OutcomeUnknownException when the delete was sent and its result is unknown (V4)
     */
    boolean delete(String key, long expectedVersion);

    /**
     * {@link #delete(String, long)} fenced by a lease token (V3): it MUST throw {@link
     * FencedOutException} when a larger token has already written the key, whatever the expected
     * version, also when the key is absent because it was deleted (the fence is checked before the
     * version and before existence). Otherwise it deletes when the stored version is {@code
     * expectedVersion}, and the deleted key keeps the larger of its fence and {@code fencingToken},
     * so a later write fenced with a lower token is fenced out. False, and nothing written, on a
     * version conflict or when the key is absent. One atomic operation.
     *
     * <p>Without it a zombie holder (a lease taken over while it was paused) could read the key and
     * delete the current holder's value, as no version check can tell the two holders apart.
     *
     * @throws IllegalArgumentException when {@code fencingToken} or {@code expectedVersion} is below
     *     1, or the key is out of bounds (E1)
     * @throws OutcomeUnknownException when the delete was sent and its result is unknown (V4)
     */
    boolean delete(String key, long expectedVersion, long fencingToken);

    /** The retrying updater over this store (read, the caller's function, compare-and-set). */
    default Updater updater(RetryPolicy policy) {
        return new Updater(this, policy);
    }
}
