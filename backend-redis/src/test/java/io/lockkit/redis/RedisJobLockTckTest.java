package io.lockkit.redis;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.redis.RedisTarget;

/** The Redis backend passes the JobLock TCK (embedded Redis, or {@code LOCKKIT_REDIS_URL}). */
class RedisJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new RedisTarget();
    }
}
