package io.lockkit.redis;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import io.lockkit.testkit.redis.RedisTarget;

/** The Redis backend passes the VersionedUpdate TCK (embedded Redis, or {@code LOCKKIT_REDIS_URL}). */
class RedisVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new RedisTarget();
    }
}
