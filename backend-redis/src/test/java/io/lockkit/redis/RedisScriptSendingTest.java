package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.Redisson;
import org.redisson.api.NameMapper;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The two ways {@link Store} sends scripts give the same results: straight to the command executor
 * of Redisson's own client, and through {@code RScript} for any other {@link RedissonClient} (here a
 * proxy of one). Both map every key, the release channel included, through the client's {@link
 * NameMapper} as {@code RScript} does, and both load a script again after {@code SCRIPT FLUSH}.
 */
@DisplayName("Redis scripts sent directly and through RScript")
class RedisScriptSendingTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String MAPPED = "mapped:";

    private final RedisTestServer redis = RedisTestServer.get();

    @ParameterizedTest(name = "proxied client: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("L1, L2, L3, L7 and a compare-and-set, with mapped names, and again after SCRIPT FLUSH")
    void sameResultsEitherWay(boolean proxied) throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(prefix, proxied);
                RedisBackend b = client(prefix, proxied);
                RedisAdmin admin = redis.admin()) {
            Lease first = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
            assertThat(b.jobLock().tryAcquire("job", LEASE)).as("L1: held").isEmpty();

            // Woken by the release message on the mapped channel, long before the 30 s lease ends.
            CompletableFuture<Optional<Lease>> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.jobLock().acquire("job", LEASE, Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            assertThat(first.release()).as("L3: the holder's release").isTrue();
            Lease second = waiter.get(20, TimeUnit.SECONDS).orElseThrow();
            assertThat(second.token()).as("L2").isGreaterThan(first.token());
            assertThat(first.release()).as("L3: a second release").isFalse();

            Versioned v = a.versionedUpdate().create("value", bytes("1")).orElseThrow();
            assertThat(a.versionedUpdate().compareAndSet("value", v.version(), bytes("2"), second.token()))
                    .isPresent();
            assertThat(second.release()).isTrue();

            assertThat(admin.commands().exists(MAPPED + "{" + prefix + "}:token"))
                    .as("the counter under its mapped name")
                    .isEqualTo(1L);
            assertThat(admin.commands().exists("{" + prefix + "}:token"))
                    .as("and not under the unmapped one")
                    .isEqualTo(0L);

            if (redis.isEmbedded()) { // a server named by LOCKKIT_REDIS_URL is shared: its script cache stays
                admin.commands().scriptFlush();
                Lease after = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
                assertThat(after.token()).as("L2, after NOSCRIPT").isGreaterThan(second.token());
                assertThat(after.release()).isTrue();
            }
        }
    }

    /**
     * Redis does not roll back a script that fails half-way: a counter that is no number must be
     * found before the lock is taken, or the key would stay locked, for the whole lease, by an owner
     * nobody was told of.
     */
    @ParameterizedTest(name = "proxied client: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a failing acquire script leaves no lock behind")
    void aFailingAcquireLeavesNoLock(boolean proxied) {
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(prefix, proxied);
                RedisAdmin admin = redis.admin()) {
            admin.commands().set(MAPPED + "{" + prefix + "}:token", "not a number");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.jobLock().tryAcquire("job", LEASE))
                    .isInstanceOf(io.lockkit.LockKitException.class);
            assertThat(admin.commands().exists(MAPPED + "{" + prefix + "}:lock:job"))
                    .as("the lock key after the script failed")
                    .isEqualTo(0L);
            admin.commands().del(MAPPED + "{" + prefix + "}:token");
            Lease lease = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
            assertThat(lease.release()).isTrue();
        }
    }

    /** A backend on a client that maps every name; {@code proxied}: a client that is not Redisson's own class. */
    private RedisBackend client(String prefix, boolean proxied) {
        Config config = new Config();
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(redis.address())
                .setClientName(RedisTestServer.newClientName())
                .setConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setNameMapper(new NameMapper() {
                    @Override
                    public String map(String name) {
                        return MAPPED + name;
                    }

                    @Override
                    public String unmap(String name) {
                        return name.substring(MAPPED.length());
                    }
                });
        RedissonClient redisson = Redisson.create(config);
        RedissonClient client = proxied
                ? (RedissonClient) Proxy.newProxyInstance(
                        RedissonClient.class.getClassLoader(),
                        new Class<?>[] {RedissonClient.class},
                        (proxy, method, args) -> {
                            try {
                                return method.invoke(redisson, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        })
                : redisson;
        return RedisBackend.builder(client)
                .prefix(prefix)
                .shutdownClientOnClose(true)
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
