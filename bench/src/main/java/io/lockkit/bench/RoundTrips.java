package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.VersionedUpdate;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.testkit.postgresql.WireSocketFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Round trips per operation of each lockkit backend, counted on the wire: PostgreSQL through a
 * pgjdbc socket factory that counts write→read turns of the calling thread ({@link
 * WireSocketFactory}, the PostgreSQL testkit's wire); MariaDB, Redis and ZooKeeper through a TCP
 * proxy that counts client turns on every connection ({@link TcpProxy}, the TCK's). Each operation
 * is repeated on a warm client (the key already used once) and the median, minimum and maximum
 * counts are kept; a background ping can make the maximum one higher. Not timed, so it runs in the
 * launcher.
 */
final class RoundTrips {
    private static final int REPEATS = 25;
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    /** {@code jdbc:mariadb://host[:port]} and the rest ({@code /database?…}) of a one-host URL. */
    private static final Pattern MARIADB_URL = Pattern.compile("jdbc:mariadb://([^/:,?#]+)(?::(\\d+))?(/.*)");

    /** One counted operation: {@code counted} is the median over the repeats. */
    record Count(String backend, String operation, long counted, long min, long max) {}

    private RoundTrips() {}

    /** Counts every non-memory variant and writes the counts to {@code json}. */
    static List<Count> measure(Path json) throws IOException {
        List<Count> counts = new ArrayList<>();
        for (String variant : Clients.VARIANTS) {
            switch (Clients.store(variant)) {
                case "postgresql" -> counts.addAll(postgres(variant));
                case "mariadb" -> counts.addAll(mariadb(variant));
                case "redis" -> counts.addAll(redis(variant));
                case "zookeeper" -> counts.addAll(zookeeper(variant));
                default -> {
                    // the in-memory backend has no wire
                }
            }
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), counts);
        return counts;
    }

    private static List<Count> postgres(String variant) {
        String name = "bench-rt-" + UUID.randomUUID();
        PGSimpleDataSource ds = Clients.dataSource();
        ds.setSocketFactory(WireSocketFactory.class.getName());
        ds.setSocketFactoryArg(name);
        try (Backend client = Clients.postgres(Clients.postgresVariant(variant), ds)) {
            return count(variant, client, () -> WireSocketFactory.roundTrips(name));
        }
    }

    /** Through a proxy in front of the benchmark's MariaDB: its URL with the proxy's address for the server's. */
    private static List<Count> mariadb(String variant) {
        Matcher url = MARIADB_URL.matcher(Stores.mariadb());
        if (!url.matches()) {
            throw new IllegalStateException("the benchmark's MariaDB URL is not jdbc:mariadb://host[:port]/…");
        }
        String host = url.group(1);
        int port = url.group(2) == null ? 3306 : Integer.parseInt(url.group(2));
        try (TcpProxy proxy = proxy(host, port);
                Backend client = Clients.mariadb(
                        Clients.mariaDbDataSource("jdbc:mariadb://127.0.0.1:" + proxy.port() + url.group(3)),
                        variant)) {
            return count(variant, client, proxy::roundTrips);
        }
    }

    private static List<Count> redis(String variant) {
        URI uri = URI.create(Stores.redis());
        try (TcpProxy proxy = proxy(uri.getHost(), uri.getPort());
                Backend client = Clients.redis("redis://127.0.0.1:" + proxy.port())) {
            return count(variant, client, proxy::roundTrips);
        }
    }

    private static List<Count> zookeeper(String variant) {
        String first = Stores.zookeeper().split(",")[0].split("/")[0];
        int colon = first.lastIndexOf(':');
        try (TcpProxy proxy = proxy(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
                Backend client = Clients.zookeeper(Clients.curator("127.0.0.1:" + proxy.port()))) {
            return count(variant, client, proxy::roundTrips);
        }
    }

    private static TcpProxy proxy(String host, int port) {
        try {
            return new TcpProxy(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy to " + host + ":" + port, e);
        }
    }

    private static List<Count> count(String variant, Backend client, LongSupplier wire) {
        String lockKey = Clients.freshKey("rt-lock");
        String valueKey = Clients.freshKey("rt-value");
        VersionedUpdate store = client.versionedUpdate();
        long[] version = {store.create(valueKey, VALUE).orElseThrow().version()};
        // Warm up: connections open, statements prepared, the key's row or parent node exists.
        for (int i = 0; i < 3; i++) {
            client.jobLock().tryAcquire(lockKey, LEASE).orElseThrow().release();
            version[0] = store.compareAndSet(valueKey, version[0], VALUE)
                    .orElseThrow()
                    .version();
        }
        long[] acquire = new long[REPEATS];
        long[] release = new long[REPEATS];
        long[] cas = new long[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            Lease lease = counted(wire, acquire, i, () -> client.jobLock()
                    .tryAcquire(lockKey, LEASE)
                    .orElseThrow(() -> new IllegalStateException(variant + ": uncontended tryAcquire lost")));
            counted(wire, release, i, lease::release);
            version[0] = counted(wire, cas, i, () -> store.compareAndSet(valueKey, version[0], VALUE)
                            .orElseThrow(() -> new IllegalStateException(variant + ": compareAndSet conflicted")))
                    .version();
        }
        return List.of(
                summary(variant, "acquire", acquire),
                summary(variant, "release", release),
                summary(variant, "compareAndSet", cas));
    }

    private static <T> T counted(LongSupplier wire, long[] into, int i, Supplier<T> op) {
        long before = wire.getAsLong();
        T result = op.get();
        into[i] = wire.getAsLong() - before;
        return result;
    }

    private static Count summary(String variant, String operation, long[] counts) {
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        return new Count(variant, operation, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    /** The counts as {@code backend → operation → median}. */
    static Map<String, Map<String, Long>> byBackend(List<Count> counts) {
        Map<String, Map<String, Long>> table = new LinkedHashMap<>();
        for (Count c : counts) {
            table.computeIfAbsent(c.backend(), b -> new LinkedHashMap<>()).put(c.operation(), c.counted());
        }
        return table;
    }
}
