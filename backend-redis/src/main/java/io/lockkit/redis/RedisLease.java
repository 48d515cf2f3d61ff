package io.lockkit.redis;

import io.lockkit.BackendUnavailableException;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.spi.AbstractLease;
import java.time.Duration;
import java.util.List;
import org.redisson.api.RScript;

/**
 * A lease held in Redis under a random owner id: any thread may extend or release it (L3), each
 * in one owner-checked round trip. Thread-safe.
 */
final class RedisLease extends AbstractLease {
    private final RedisBackend client;
    private final byte[] owner;

    RedisLease(RedisBackend client, String key, long token, byte[] owner, long sentNanos, Duration lease) {
        super(key, token, client.ticker(), sentNanos, lease, client.driftMargin(lease), client.leaseLimits());
        this.client = client;
        this.owner = owner;
    }

    /** The margin grows with the lease (clock rate error), on every extend as on the acquire (L5). */
    @Override
    protected Duration margin(Duration lease) {
        return client.driftMargin(lease);
    }

    @Override
    protected boolean doExtend(Duration lease) {
        return run(Script.EXTEND, List.of(client.keys().lock(key())), owner, RedisJobLock.millis(lease));
    }

    @Override
    protected boolean doRelease() {
        return run(Script.RELEASE, client.keys().releaseKeys(key()), owner, key());
    }

    private boolean run(Script script, List<Object> keys, Object... args) {
        try {
            Long done = client.store().run(script, RScript.ReturnType.INTEGER, keys, args);
            return done != null && done == 1L;
        } catch (OutcomeUnknownException e) {
            // The script may or may not have run. An extend's deadline did not move (the store may keep
            // the longer time to live). A release may have freed the key for the next holder, or the
            // lock stays until its lease ends (L4); the lease is given up either way, and calling
            // release() again re-sends this owner-checked delete.
            throw new BackendUnavailableException(e.getMessage(), e);
        }
    }
}
