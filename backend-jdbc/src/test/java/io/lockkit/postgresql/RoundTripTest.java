package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.WireSocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Round trips per operation, counted on the wire ({@link WireSocketFactory}: a read that follows a
 * write on the calling thread), on warm connections. Prints the table and checks the promised
 * counts: one round trip per acquire (two on the row lock), extend, release and compare-and-set.
 */
class RoundTripTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static Fixture fixture;
    private final Map<String, Long> table = new LinkedHashMap<>();

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    @Test
    void tableVariant() {
        measureLocks(Variant.TABLE);
        assertThat(table)
                .containsEntry("acquire", 1L)
                .containsEntry("acquire, held", 1L)
                .containsEntry("extend", 1L)
                .containsEntry("release", 1L);
    }

    @Test
    void advisoryVariant() {
        measureLocks(Variant.ADVISORY);
        assertThat(table)
                .containsEntry("acquire", 1L)
                .containsEntry("acquire, held", 1L)
                .containsEntry("extend", 1L)
                .containsEntry("release", 1L);
    }

    @Test
    void rowLockVariant() {
        measureLocks(Variant.ROWLOCK);
        // the token is drawn durably on a second session once the row is locked (a value drawn in
        // the held transaction is not durable until it commits); a held row costs the failed
        // attempt and its ROLLBACK; a key's first use creates its row
        assertThat(table)
                .containsEntry("acquire", 2L)
                .containsEntry("acquire, held", 2L)
                .containsEntry("acquire, first use of the key", 5L)
                .containsEntry("extend", 1L)
                .containsEntry("release", 1L);
    }

    @Test
    void versionedUpdates() {
        String wireName = "rt-" + UUID.randomUUID();
        try (PostgresBackend client = client(Variant.TABLE, wireName)) {
            WireSocketFactory.Wire wire = WireSocketFactory.wire(wireName);
            client.versionedUpdate().read("warm-up");
            String key = "v-" + UUID.randomUUID();
            Versioned v1 = count(wire, "create", () -> client.versionedUpdate().create(key, bytes("1")))
                    .orElseThrow();
            count(wire, "read", () -> client.versionedUpdate().read(key));
            Versioned v2 = count(wire, "compareAndSet", () -> client.versionedUpdate()
                            .compareAndSet(key, v1.version(), bytes("2")))
                    .orElseThrow();
            count(wire, "compareAndSet, conflict", () -> client.versionedUpdate()
                    .compareAndSet(key, v1.version(), bytes("x")));
            Versioned v3 = count(wire, "compareAndSet fenced", () -> client.versionedUpdate()
                            .compareAndSet(key, v2.version(), bytes("3"), 7))
                    .orElseThrow();
            count(wire, "compareAndSet fenced, conflict", () -> client.versionedUpdate()
                    .compareAndSet(key, v2.version(), bytes("x"), 7));
            count(wire, "delete", () -> client.versionedUpdate().delete(key, v3.version()));
            count(wire, "create fenced, deleted key", () -> client.versionedUpdate()
                    .create(key, bytes("4"), 8));
            count(wire, "create fenced, existing key", () -> client.versionedUpdate()
                    .create(key, bytes("x"), 9));
            count(wire, "create fenced, fresh key", () -> client.versionedUpdate()
                    .create("v-" + UUID.randomUUID(), bytes("1"), 9));
        }
        print("versioned (any variant)");
        assertThat(table.values()).containsOnly(1L);
    }

    private void measureLocks(Variant variant) {
        String wireName = "rt-" + UUID.randomUUID();
        try (PostgresBackend a = client(variant, wireName);
                PostgresBackend b = client(variant, wireName + "-b")) {
            WireSocketFactory.Wire wire = WireSocketFactory.wire(wireName);
            String key = "rt-" + UUID.randomUUID();
            a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // warm up: connection, row
            Lease lease = count(wire, "acquire", () -> a.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow();
            b.jobLock().tryAcquire(key, LEASE); // warm up b's connection
            count(WireSocketFactory.wire(wireName + "-b"), "acquire, held", () -> b.jobLock()
                    .tryAcquire(key, LEASE));
            count(wire, "extend", () -> lease.extend(LEASE));
            count(wire, "release", lease::release);
            if (variant == Variant.ROWLOCK) {
                count(wire, "acquire, first use of the key", () -> a.jobLock().tryAcquire("new-" + key, LEASE))
                        .orElseThrow()
                        .release();
            }
        }
        print(variant.name().toLowerCase(java.util.Locale.ROOT));
    }

    private <T> T count(WireSocketFactory.Wire wire, String what, Supplier<T> op) {
        long before = wire.roundTrips();
        T result = op.get();
        table.put(what, wire.roundTrips() - before);
        return result;
    }

    private void print(String title) {
        StringBuilder out = new StringBuilder("round trips, " + title + ":");
        table.forEach((op, n) -> out.append(String.format("%n  %-32s %d", op, n)));
        System.out.println(out);
    }

    private static PostgresBackend client(Variant variant, String wireName) {
        return fixture.wiredClient(variant, wireName);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
