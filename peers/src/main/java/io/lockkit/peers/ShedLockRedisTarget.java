package io.lockkit.peers;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.LockKit;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Ports;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.testkit.redis.RedisTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * [shedlock/redis]: ShedLock's Spring Redis provider ({@code RedisLockProvider}) over a
 * spring-data-redis {@code LettuceConnectionFactory}, one per client, whose connections carry one
 * client name; keys under a fresh ShedLock "environment" per target. lockkit's Redis {@code
 * VersionedUpdate} on the same server, unfenced. A timed lease: {@code SET NX PX}.
 *
 * <p>Expected, from ShedLock's design: no fencing token (scenario 8's zombie write lands, V3); its
 * unlock is an unconditional {@code DEL} and its extend a {@code SET XX}, neither owner-checked, so
 * a zombie extends and frees the next holder's lock (L3).
 */
final class ShedLockRedisTarget extends PeerTarget {
    static final String NAME = "shedlock/redis";

    private final String environment = RedisTestServer.freshPrefix("peers-shedlock");

    ShedLockRedisTarget() {
        super(NAME);
    }

    @Override
    public Backend newClient() {
        String name = RedisTestServer.newClientName("peers-shedlock");
        LettuceConnectionFactory factory =
                factory(RedisTestServer.get().host(), RedisTestServer.get().port(), name, Duration.ofSeconds(3));
        Backend data;
        try {
            data = LockKit.open(RedisTestServer.get().address(), Map.of("prefix", environment));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, factory::destroy);
        }
        return register(backend(factory, data), new Wire() {
            @Override
            public void kill() {
                RedisTestServer.get().killClients(name);
            }

            /** The process vanishes: its connections close, releasing nothing; the keys expire by their PX. */
            @Override
            public void crash() {
                factory.stop();
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        int port = Ports.closed();
        LettuceConnectionFactory factory = factory("127.0.0.1", port, "unreachable", Duration.ofMillis(500));
        try {
            Backend data = LockKit.open(
                    "redis://127.0.0.1:" + port,
                    Map.of(
                            "prefix", environment,
                            "timeout", "500ms",
                            "connectTimeout", "500ms",
                            "evictionPolicyCheck", "off"));
            return backend(factory, data);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, factory::destroy);
        }
    }

    private PeerBackend backend(LettuceConnectionFactory factory, Backend data) {
        RedisLockProvider shedlock = new RedisLockProvider(factory, environment);
        return new PeerBackend(
                NAME,
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(NAME, new ShedLockPeer(shedlock)),
                new Unfenced(data.versionedUpdate()),
                List.<AutoCloseable>of(factory::destroy, data));
    }

    private static LettuceConnectionFactory factory(String host, int port, String clientName, Duration timeout) {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .clientName(clientName)
                .commandTimeout(timeout)
                .clientOptions(ClientOptions.builder()
                        .socketOptions(
                                SocketOptions.builder().connectTimeout(timeout).build())
                        .build())
                .build();
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port), client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
