package io.lockkit.testkit.redis;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/** Redis for the race comparison, on the embedded (or named) test server. */
public final class RedisTargetFactory implements TargetFactory {
    @Override
    public String name() {
        return "redis";
    }

    @Override
    public TckTarget open() {
        return new RedisTarget(false); // no proxy: its handoff times are compared with peers that have none
    }
}
