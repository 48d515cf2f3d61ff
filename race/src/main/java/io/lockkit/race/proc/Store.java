package io.lockkit.race.proc;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import io.lockkit.testkit.redis.RedisTestServer;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.jspecify.annotations.Nullable;

/**
 * One store backend variant as child processes reach it: the URI of the test server (started or
 * found through the testkits' test servers, which read the {@code LOCKKIT_*} variables),
 * the options that give this run a namespace of its own (a fresh PostgreSQL schema or MariaDB
 * database, Redis prefix or ZooKeeper root), and how its leases end. {@link #close()} drops the
 * run's PostgreSQL schema or MariaDB database.
 * Thread-safe.
 */
final class Store implements AutoCloseable {
    /** How a lease of the variant ends when its holder stops talking. */
    enum Kind {
        /** By its deadline. */
        TIMED,
        /** With the holder's server session (idle timeout, session timeout, closed connection). */
        SESSION
    }

    /** ZooKeeper session timeout of the fault rows; the embedded server grants 0.4–4 s. */
    static final Duration ZK_FAST_SESSION = Duration.ofSeconds(3);
    /** ZooKeeper session timeout of the races, where 8 JVMs share 2 cores. */
    static final Duration ZK_RACE_SESSION = Duration.ofSeconds(4);

    private static final Pattern HOST_PORT = Pattern.compile("^([a-z:]+//)([^/:?,@]+):(\\d+)([/?].*)?$");

    private final String name;
    private final String uri;
    private final Map<String, String> options;
    private final Kind kind;
    private final @Nullable String schema;
    private @Nullable Backend client;
    private @Nullable TestingCluster ensemble;

    private Store(String name, String uri, Map<String, String> options, Kind kind, @Nullable String schema) {
        this.name = name;
        this.uri = uri;
        this.options = Map.copyOf(options);
        this.kind = kind;
        this.schema = schema;
    }

    /** Why {@code backend} cannot run across processes; empty when it can. */
    static Optional<String> unsupported(String backend) {
        if (backend.startsWith("mem")) {
            return Optional.of("mem cannot cross processes: its store lives inside one JVM");
        }
        if (backend.startsWith("postgresql/")
                || backend.startsWith("mariadb/")
                || backend.equals("redis")
                || backend.equals("zookeeper")) {
            return Optional.empty();
        }
        return Optional.of("no multi-process launcher for '" + backend + "' (store backends only: postgresql/table,"
                + " postgresql/advisory, postgresql/rowlock, mariadb/table, mariadb/advisory, mariadb/rowlock, redis,"
                + " zookeeper)");
    }

    /** Opens the run's namespace on the variant's test server, starting the server when needed. */
    static Store open(String backend) {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        if (backend.startsWith("postgresql/")) {
            String variant = backend.substring("postgresql/".length());
            String schema = "lockkit_proc_" + run;
            PostgresTestServer.execute("CREATE SCHEMA " + schema);
            Map<String, String> o = PostgresTestServer.clientOptions(variant, schema);
            o.put("maxConnections", "30");
            o.put("connectTimeout", "20s"); // many JVMs connect at once on a loaded host
            o.put("connectionWait", "30s");
            Kind kind = variant.toLowerCase(Locale.ROOT).equals("table") ? Kind.TIMED : Kind.SESSION;
            return new Store(backend, PostgresTestServer.jdbcUrl(), o, kind, schema);
        }
        if (backend.startsWith("mariadb/")) {
            String variant = backend.substring("mariadb/".length());
            String database = "lockkit_proc_" + run;
            MariaDbTestServer.execute("CREATE DATABASE " + database);
            Map<String, String> o = new LinkedHashMap<>();
            o.put("variant", variant);
            o.put("maxConnections", "30");
            o.put("connectTimeout", "20s"); // many JVMs connect at once on a loaded host
            o.put("connectionWait", "30s");
            Kind kind = variant.equals("table") ? Kind.TIMED : Kind.SESSION;
            return new Store(backend, MariaDbTestServer.databaseUrl(database), o, kind, database);
        }
        if (backend.equals("redis")) {
            // Ten JVMs starting at once on two cores: the default 3 s E2 bound is too tight for the first call.
            return new Store(
                    backend,
                    RedisTestServer.get().address(),
                    Map.of("prefix", "proc" + run, "timeout", "10s", "connectTimeout", "10s"),
                    Kind.TIMED,
                    null);
        }
        if (backend.equals("zookeeper")) {
            return new Store(
                    backend,
                    "zookeeper://" + ZooKeeperTestServer.shared().connectString(),
                    Map.of("root", "/lockkit-proc-" + run, "timeout", "15s"),
                    Kind.SESSION,
                    null);
        }
        throw new IllegalArgumentException("no multi-process launcher for backend '" + backend + "'");
    }

    /**
     * A three-member ZooKeeper ensemble of this JVM ({@link TestingCluster}) for the soak, with a run
     * root of its own; {@link #close()} stops it. Only where ZooKeeper is embedded.
     */
    static Store zookeeperEnsemble() {
        if (!ZooKeeperTestServer.shared().isEmbedded()) {
            throw new IllegalStateException("the tests run on an external ZooKeeper, so they cannot start an ensemble");
        }
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(ZooKeeperTestServer.spec(-1));
        }
        TestingCluster cluster = new TestingCluster(specs);
        try {
            cluster.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start a three-member ZooKeeper ensemble", e);
        }
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Store store = new Store(
                "zookeeper",
                "zookeeper://" + cluster.getConnectString(),
                Map.of("root", "/lockkit-proc-" + run, "timeout", "15s"),
                Kind.SESSION,
                null);
        store.ensemble = cluster;
        return store;
    }

    /** The ensemble this store runs on, when {@link #zookeeperEnsemble()} started one. */
    Optional<TestingCluster> ensemble() {
        return Optional.ofNullable(ensemble);
    }

    /** Every server the URI names, as {@code host:port}. */
    List<String> servers() {
        return servers(uri);
    }

    /** The URI with its servers replaced by {@code 127.0.0.1:port} for each of {@code ports} (proxies'). */
    String uriVia(List<Integer> ports) {
        return uriVia(uri, ports);
    }

    /** The {@code host:port} list between {@code //} and the first {@code /} or {@code ?} after it. */
    static List<String> servers(String uri) {
        int from = uri.indexOf("//") + 2;
        int end = uri.length();
        for (char c : new char[] {'/', '?'}) {
            int at = uri.indexOf(c, from);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return List.of(uri.substring(from, end).split(","));
    }

    static String uriVia(String uri, List<Integer> ports) {
        int from = uri.indexOf("//") + 2;
        int serversEnd = from + String.join(",", servers(uri)).length();
        return uri.substring(0, from)
                + String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList())
                + uri.substring(serversEnd);
    }

    String name() {
        return name;
    }

    String uri() {
        return uri;
    }

    Kind kind() {
        return kind;
    }

    boolean zookeeper() {
        return name.equals("zookeeper");
    }

    /** The children's options; {@code fastExpiry} asks for the short ZooKeeper session of the fault rows. */
    Map<String, String> childOptions(boolean fastExpiry) {
        Map<String, String> o = new LinkedHashMap<>(options);
        if (zookeeper()) {
            o.put("sessionTimeout", (fastExpiry ? ZK_FAST_SESSION : ZK_RACE_SESSION).toMillis() + "ms");
        }
        return o;
    }

    /** The host and port the URI points at; empty for a URI naming several servers. */
    Optional<String[]> hostPort() {
        Matcher m = HOST_PORT.matcher(uri);
        return m.matches() ? Optional.of(new String[] {m.group(2), m.group(3)}) : Optional.empty();
    }

    /** The URI with its host and port replaced by {@code 127.0.0.1:port} (a proxy's). */
    String uriVia(int port) {
        Matcher m = HOST_PORT.matcher(uri);
        if (!m.matches()) {
            throw new IllegalStateException("cannot route '" + name + "' through a proxy: several servers");
        }
        return m.group(1) + "127.0.0.1:" + port + (m.group(4) == null ? "" : m.group(4));
    }

    /** The coordinator's own client (creates the PostgreSQL schema on first use). */
    synchronized Backend client() {
        if (client == null) {
            Map<String, String> o = childOptions(false);
            if (schema != null) {
                o.put("createSchema", "true");
            }
            client = LockKit.open(uri, o);
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (schema != null && name.startsWith("mariadb/")) {
            MariaDbTestServer.dropDatabase(schema);
        } else if (schema != null) {
            PostgresTestServer.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        if (ensemble != null) {
            try {
                ensemble.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ensemble = null;
        }
    }
}
