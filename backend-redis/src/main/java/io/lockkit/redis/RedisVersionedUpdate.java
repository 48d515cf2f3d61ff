package io.lockkit.redis;

import io.lockkit.FencedOutException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScript;

/**
 * {@link VersionedUpdate} on one Redis hash per key (value, version, highest fence), each call one
 * script round trip, atomic on the server (V1). Deleting keeps a tombstone with the version and
 * fence, so versions never repeat (V2) and the fence survives delete (V3). A write whose reply was
 * lost is reported as {@link io.lockkit.OutcomeUnknownException}, never sent twice (V4).
 * Thread-safe.
 */
final class RedisVersionedUpdate implements VersionedUpdate {
    private static final byte[] NOT_FENCED = {'0'};

    private final RedisBackend client;

    RedisVersionedUpdate(RedisBackend client) {
        this.client = client;
    }

    @Override
    public Optional<Versioned> read(String key) {
        List<Object> reply = run(Script.READ, RScript.ReturnType.MULTI, Checks.key(key));
        return reply == null
                ? Optional.empty()
                : Optional.of(new Versioned(key, (byte[]) reply.get(0), (Long) reply.get(1)));
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        Checks.value(value);
        return write(Script.CREATE, key, value, 0, value, NOT_FENCED);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return write(Script.CREATE, key, value, fencingToken, value, decimal(fencingToken));
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        return write(Script.CAS, key, value, 0, expectedVersion, value, NOT_FENCED);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return write(Script.CAS, key, value, fencingToken, expectedVersion, value, decimal(fencingToken));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return (Long) fenced(Script.DELETE, key, 0, expectedVersion, NOT_FENCED).get(0) == 1L;
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.fencingToken(fencingToken);
        return (Long) fenced(Script.DELETE, key, fencingToken, expectedVersion, decimal(fencingToken))
                        .get(0)
                == 1L;
    }

    /** Runs create.lua or cas.lua: the new version, or empty on a conflict. */
    private Optional<Versioned> write(Script script, String key, byte[] value, long token, Object... args) {
        List<Object> reply = fenced(script, key, token, args);
        return (Long) reply.get(0) == 1L
                ? Optional.of(new Versioned(key, value, (Long) reply.get(1)))
                : Optional.empty();
    }

    /**
     * Runs a writing script, which answers {1, …} when it wrote, {0} on a conflict or {-1, highest
     * fence} when fenced out; {@code token} 0 means unfenced.
     */
    private List<Object> fenced(Script script, String key, long token, Object... args) {
        List<Object> reply = run(script, RScript.ReturnType.MULTI, key, args);
        if ((Long) reply.get(0) == -1L) {
            throw new FencedOutException(
                    key, token, Long.parseLong(new String((byte[]) reply.get(1), StandardCharsets.US_ASCII)));
        }
        return reply;
    }

    private static byte[] decimal(long token) {
        return Long.toString(token).getBytes(StandardCharsets.US_ASCII);
    }

    private <R> R run(Script script, RScript.ReturnType type, String key, Object... args) {
        return client.store().run(script, type, client.keys().valueKeys(key), args);
    }
}
