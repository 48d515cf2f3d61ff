package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.LockKit;
import io.lockkit.VersionedUpdate;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Ports;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.testkit.redis.RedisTestServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * [redisson/rlock] and [redisson/fenced]: Redisson's {@code RLock}, or {@code RFencedLock} with its
 * token passed to lockkit's fenced write, through {@link RedissonPeer}; one Redisson client per
 * client, whose connections carry one client name. lockkit's Redis {@code VersionedUpdate} on the
 * same server: unfenced for RLock, fenced by Redisson's token for RFencedLock. A timed lease: an
 * explicit lease time (no watchdog).
 *
 * <p>Expected: RLock has no fencing token, so scenario 8's zombie write lands (V3); its extend is
 * false (no owner-checked extend in the API), so scenario 10's extend after a connection blip
 * fails (L3) and the fuzz scenario's extends are refused. RFencedLock's tokens count per lock name,
 * which is all scenario 8 needs.
 */
final class RedissonTarget extends PeerTarget {
    static final String RLOCK = "redisson/rlock";
    static final String FENCED = "redisson/fenced";

    private final boolean fenced;
    private final String prefix = RedisTestServer.freshPrefix("peers-redisson");

    RedissonTarget(boolean fenced) {
        super(fenced ? FENCED : RLOCK);
        this.fenced = fenced;
    }

    @Override
    public Backend newClient() {
        String clientName = RedisTestServer.newClientName("peers-redisson");
        Config config = new Config();
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(RedisTestServer.get().address())
                .setClientName(clientName)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(32)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setConnectTimeout(2000)
                .setTimeout(3000);
        RedissonClient redisson = Redisson.create(config);
        Backend data;
        try {
            data = LockKit.open(RedisTestServer.get().address(), Map.of("prefix", prefix));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, redisson::shutdown);
        }
        return register(backend(redisson, data), new Wire() {
            @Override
            public void kill() {
                RedisTestServer.get().killClients(clientName);
            }

            /** The process vanishes: its Redisson client stops at once, releasing nothing. */
            @Override
            public void crash() {
                redisson.shutdown(0, 0, TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        int port = Ports.closed();
        Config config = new Config();
        config.setLazyInitialization(true);
        config.setNettyThreads(2);
        config.useSingleServer()
                .setAddress("redis://127.0.0.1:" + port)
                .setConnectTimeout(500)
                .setTimeout(500)
                .setRetryAttempts(0);
        RedissonClient redisson = Redisson.create(config);
        try {
            Backend data = LockKit.open(
                    "redis://127.0.0.1:" + port,
                    Map.of(
                            "prefix",
                            prefix,
                            "timeout",
                            "500ms",
                            "connectTimeout",
                            "500ms",
                            "evictionPolicyCheck",
                            "off"));
            return backend(redisson, data);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, redisson::shutdown);
        }
    }

    private PeerBackend backend(RedissonClient redisson, Backend data) {
        VersionedUpdate update = fenced ? data.versionedUpdate() : new Unfenced(data.versionedUpdate());
        return new PeerBackend(
                name(),
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(name(), new RedissonPeer(redisson, prefix, fenced)),
                update,
                List.<AutoCloseable>of(
                        () -> {
                            if (!redisson.isShutdown()) {
                                redisson.shutdown(0, 2, TimeUnit.SECONDS);
                            }
                        },
                        data));
    }
}
