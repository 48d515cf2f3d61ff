/**
 * Redis for tests: {@link io.lockkit.testkit.redis.RedisTestServer} (an embedded redis-server
 * started on first use, or the one {@code LOCKKIT_REDIS_URL} names), {@link
 * io.lockkit.testkit.redis.RedisAdmin} (an admin connection over Lettuce), the TCK target {@link
 * io.lockkit.testkit.redis.RedisTarget} with its faults, and the race comparison's {@link
 * io.lockkit.testkit.redis.RedisTargetFactory}. Clients are opened with {@code LockKit.open}: the
 * Redis backend must be on the class path.
 */
@NullMarked
package io.lockkit.testkit.redis;

import org.jspecify.annotations.NullMarked;
