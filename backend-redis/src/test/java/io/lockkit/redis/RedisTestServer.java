package io.lockkit.redis;

/**
 * The Redis server of this JVM's tests, for other modules' test code (the race comparison, the
 * peers): the one named by {@code LOCKKIT_REDIS_URL}, else Testcontainers when {@code
 * LOCKKIT_TESTCONTAINERS=true}, else an embedded server started on first use.
 */
public final class RedisTestServer {
    private RedisTestServer() {}

    /** {@code redis://host:port}, starting the server on first use. */
    public static String address() {
        return TestRedis.get().address();
    }
}
