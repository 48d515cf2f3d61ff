/**
 * The Redis backend ({@code redis://}, {@code rediss://}) on Redisson: timed, fenced leases and
 * versioned values by Lua scripts. Start at {@link io.lockkit.redis.RedisBackend#builder}.
 */
@NullMarked
package io.lockkit.redis;

import org.jspecify.annotations.NullMarked;
