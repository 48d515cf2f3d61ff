package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.KeyBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How keys become PostgreSQL's advisory lock ids (their stored bytes are {@link KeyBytes}'). Stateless.
 */
final class KeyCodec {
    private KeyCodec() {}

    /**
     * The class id of lockkit's own advisory locks, which take PostgreSQL's two-int form ({@code
     * pg_advisory_lock(int, int)}): a space of ids apart from the one-bigint form keys take, so no key
     * can ever take one of them. ("lkit" in ASCII.)
     */
    static final int SCHEMA_LOCK_CLASS = 0x6c6b6974;

    /** The object id, in {@link #SCHEMA_LOCK_CLASS}, of the lock that serialises {@code createSchema()}. */
    static final int SCHEMA_LOCK_OBJECT = 1;

    /**
     * The class id of the wait markers (every variant), also in the two-int form: a client holds
     * {@code (WAIT_MARKER_CLASS, waitMarker(id))} shared while one of its threads waits for the key
     * whose id is {@code id} (its advisory lock id, or its {@link #markerId} on the lock table), and a release notifies only when it cannot take that marker
     * exclusively. Two keys may share a marker (32 bits of 64): that costs a notification nobody
     * needed, never a missed one.
     */
    static final int WAIT_MARKER_CLASS = SCHEMA_LOCK_CLASS + 1;

    private static final byte[] TABLE_MARKER_DOMAIN = "lockkit-table:".getBytes(StandardCharsets.UTF_8);

    /** The wait marker of a 64-bit id: an advisory lock id, or a table key's {@link #markerId}. */
    static int waitMarker(long lockId) {
        return (int) (lockId ^ (lockId >>> 32));
    }

    /**
     * The lock-table variant's 64-bit id of a key for its wait marker (see {@link
     * Sql#TABLE_RELEASE}): the first 8 bytes, big-endian, of SHA-256 over {@code lockkit-table:}
     * and the key's stored bytes (the prefix keeps the table's markers apart from the advisory
     * variant's, whose ids hash {@code namespace:key}).
     */
    static long markerId(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(TABLE_MARKER_DOMAIN);
            return ByteBuffer.wrap(sha.digest(key), 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Whether {@code namespace} can prefix advisory ids: not empty, and without {@code :}, so that
     * {@code namespace + ":" + key} splits one way only and two (namespace, key) pairs never share
     * a name (namespace {@code a:b} with key {@code c} against namespace {@code a} with key {@code b:c}).
     */
    static boolean isNamespace(String namespace) {
        return !namespace.isEmpty() && namespace.indexOf(':') < 0;
    }

    /**
     * The advisory lock id of {@code key}: the first 8 bytes, big-endian, of SHA-256 over the stored
     * bytes of {@code namespace + ":" + key}, in the one-bigint form of advisory locks. Injective up to
     * the hash, since a namespace holds no {@code :} ({@link #isNamespace}) and the stored bytes of
     * distinct strings differ. Stable across versions and processes; 64 bits, so a collision between
     * two names is negligible (a 32-bit hash is not, INCIDENTS.md row 22).
     */
    static long advisoryId(String namespace, String key) {
        if (!isNamespace(namespace)) {
            throw new IllegalArgumentException("namespace must be non-empty and hold no ':', was '" + namespace + "'");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(KeyBytes.bytes(namespace + ":" + key));
            return ByteBuffer.wrap(digest, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
