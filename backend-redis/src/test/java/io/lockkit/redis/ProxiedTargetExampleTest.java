package io.lockkit.redis;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.ProxiedTarget;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.redis.RedisTestServer;

/**
 * tck/README §1's example, as written there, on Redis: a target that only says how to open a client
 * at a host and port passes the lock kit through {@link ProxiedTarget}'s proxies (the restart tests
 * are skipped: the example does not restart its store). Proves the guide's first green run.
 */
class ProxiedTargetExampleTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new ExampleTarget();
    }

    static final class ExampleTarget extends ProxiedTarget {
        ExampleTarget() {
            super(
                    "redis (tck/README example)",
                    RedisTestServer.get().host(),
                    RedisTestServer.get().port());
        }

        @Override
        protected Backend open(String host, int port) {
            return LockKit.open("redis://" + host + ":" + port + "?timeout=2s");
        }
    }
}
