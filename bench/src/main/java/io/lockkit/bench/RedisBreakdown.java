package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import org.redisson.api.RLock;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.ByteArrayCodec;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Where Redis's time goes, interleaved in one thread as {@link PgBreakdown} and {@link ZkBreakdown}
 * are (a batch of each step in turn, round after round, so the machine's load falls on all alike and
 * the steps can be subtracted). Redis writes nothing to disk here, so every lock is round trips plus
 * the server's work per command; the steps separate the three costs above the wire: the server's
 * (raw RESP on a socket of its own, no client library: {@code PING}, ShedLock's two plain commands,
 * lockkit's two scripts), the client library's (the same scripts through Redisson's {@code RScript};
 * {@code PING} through spring-data-redis's Lettuce connection, ShedLock's client) and lockkit's own
 * ({@code tryAcquire} + {@code release}, and each alone). Then the peers: Redisson's {@code RLock}
 * ({@code tryLock(0, lease)}: an {@code EVAL} of a hash-and-expire script; {@code unlock}: another,
 * which publishes) and ShedLock's Redis provider ({@code SET NX PX}, unlock {@code DEL}), each pair and
 * each half alone (the other half untimed). {@link #FLOORS} derives from the raw round trip what each
 * operation cannot go below.
 *
 * <p>Prints medians and writes them to {@value #FILE}: {@code RedisBreakdown OUT.json [ROUNDS [WARM-UP
 * ROUNDS]]} (defaults 40 and 50; {@value #BATCH} of each step per round). {@link BenchMain} runs it
 * as it runs {@link ZkBreakdown}.
 */
public final class RedisBreakdown {
    /** The file name of the results in the output folder. */
    static final String FILE = "redis-breakdown.json";

    static final String PING = "PING, raw RESP (round-trip floor)";
    static final String SET_DEL = "SET NX PX + DEL, raw (ShedLock's two commands)";
    static final String RETURN_ONE = "EVALSHA of `return 1`, raw (a script's floor)";
    static final String RAW = "lockkit's acquire.lua + release.lua by EVALSHA, raw";
    static final String RAW_ACQUIRE = "lockkit's acquire.lua alone, raw";
    static final String RAW_RELEASE = "lockkit's release.lua alone, raw";
    static final String REDISSON_ONE =
            "EVALSHA of `return 1` through Redisson on lockkit's transport, epoll where it loads (lockkit's floor)";
    static final String REDISSON_NIO_ONE =
            "EVALSHA of `return 1` through Redisson on NIO, Redisson's default (RLock's)";
    static final String REDISSON = "lockkit's two scripts through Redisson's RScript";
    static final String LETTUCE_PING = "PING through spring-data-redis Lettuce (ShedLock's client)";
    static final String LOCKKIT = "lockkit redis tryAcquire + release";
    static final String LOCKKIT_ACQUIRE = "lockkit redis tryAcquire alone";
    static final String LOCKKIT_RELEASE = "lockkit redis release alone";
    static final String RLOCK = "Redisson RLock tryLock + unlock";
    static final String RLOCK_ACQUIRE = "Redisson RLock tryLock alone";
    static final String RLOCK_RELEASE = "Redisson RLock unlock alone";
    static final String SHED = "ShedLock Redis lock + unlock";
    static final String SHED_LOCK = "ShedLock Redis lock alone";
    static final String SHED_UNLOCK = "ShedLock Redis unlock alone";

    static final int BATCH = 10;
    private static final Duration LEASE = Duration.ofSeconds(30);

    /**
     * What each operation cannot go below: one round trip per call to the server (an acquire or a
     * release, each one command or one script), nothing on disk; through a client library, that
     * library's round trip. lockkit is a Redisson backend, so its floor is Redisson's round trip on the
     * client its URI opens (Netty's epoll transport where it loads); {@code RLock}'s is Redisson's round
     * trip on Redisson's default transport, NIO, as its users run it; ShedLock's is Lettuce's (which
     * takes epoll by itself where it loads); the raw steps' is the raw {@code PING}.
     */
    static final List<Report.Floor> FLOORS = List.of(
            new Report.Floor(
                    LOCKKIT, "2 round trips through Redisson, lockkit's client", List.of(REDISSON_ONE, REDISSON_ONE)),
            new Report.Floor(LOCKKIT_ACQUIRE, "1 round trip through Redisson", List.of(REDISSON_ONE)),
            new Report.Floor(LOCKKIT_RELEASE, "1 round trip through Redisson", List.of(REDISSON_ONE)),
            new Report.Floor(REDISSON, "2 round trips through Redisson", List.of(REDISSON_ONE, REDISSON_ONE)),
            new Report.Floor(RAW, "2 raw round trips (raw PING × 2)", List.of(PING, PING)),
            new Report.Floor(RAW_ACQUIRE, "1 raw round trip", List.of(PING)),
            new Report.Floor(RAW_RELEASE, "1 raw round trip", List.of(PING)),
            new Report.Floor(
                    RLOCK, "2 round trips through Redisson on NIO", List.of(REDISSON_NIO_ONE, REDISSON_NIO_ONE)),
            new Report.Floor(
                    SHED, "2 round trips through Lettuce, ShedLock's client", List.of(LETTUCE_PING, LETTUCE_PING)),
            new Report.Floor(SET_DEL, "2 raw round trips (raw PING × 2)", List.of(PING, PING)));

    /** lockkit's acquire + release at its floor against each peer of its targets as measured. */
    static final List<Report.Reach> REACH = List.of(
            new Report.Reach("redis", LOCKKIT, "redisson/RLock", RLOCK),
            new Report.Reach("redis", LOCKKIT, "shedlock/redis", SHED));

    private RedisBreakdown() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** Measures and writes {@code OUT.json}; returns the medians (µs) by step. */
    static Map<String, Double> run(String... args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : FILE);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int warmUpRounds = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            Map<String, Double> medians = PgBreakdown.measure(steps(opened), BATCH, warmUpRounds, rounds);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), medians);
            return medians;
        } finally {
            while (!opened.isEmpty()) {
                opened.pop().close();
            }
        }
    }

    private static Map<String, Interleaved.Step> steps(Deque<AutoCloseable> opened) throws Exception {
        Map<String, Interleaved.Step> steps = new LinkedHashMap<>();
        // lockkit's own key layout (see the backend's Keys): one hash tag, the lock, the counter, the
        // epoch and the release channel; a prefix of its own so nothing else shares the counter.
        String tag = "{" + Clients.freshKey("breakdown") + "}";
        String lockKey = tag + ":lock:k";
        List<String> acquireKeys = List.of(lockKey, tag + ":token", tag + ":epoch");
        List<String> releaseKeys = List.of(lockKey, tag + ":released");
        String lease = Long.toString(LEASE.toMillis());

        Resp raw = new Resp(URI.create(Stores.redis()));
        opened.push(raw);
        String acquireSha = raw.load(script("acquire.lua"));
        String releaseSha = raw.load(script("release.lua"));
        String oneSha = raw.load("return 1");
        String owner = UUID.randomUUID().toString();
        steps.put(PING, Interleaved.timed(() -> raw.call("PING")));
        String shedKey = tag + ":shed";
        steps.put(SET_DEL, Interleaved.timed(() -> {
            expect("SET NX PX", raw.call("SET", shedKey, owner, "NX", "PX", lease), "+OK");
            expect("DEL", raw.call("DEL", shedKey), ":1");
        }));
        steps.put(RETURN_ONE, Interleaved.timed(() -> raw.call("EVALSHA", oneSha, "1", lockKey)));
        Interleaved.Body rawAcquire = () -> {
            String token = raw.call(
                    "EVALSHA",
                    acquireSha,
                    "3",
                    acquireKeys.get(0),
                    acquireKeys.get(1),
                    acquireKeys.get(2),
                    owner,
                    lease);
            if (!token.startsWith(":") || Long.parseLong(token.substring(1)) <= 0) {
                throw new IllegalStateException("raw acquire.lua: expected a token, got " + token);
            }
        };
        Interleaved.Body rawRelease = () -> expect(
                "raw release.lua",
                raw.call("EVALSHA", releaseSha, "2", releaseKeys.get(0), releaseKeys.get(1), owner, "k"),
                ":1");
        steps.put(RAW, Interleaved.timed(() -> {
            rawAcquire.run();
            rawRelease.run();
        }));
        steps.put(RAW_ACQUIRE, () -> {
            long took = Interleaved.time(rawAcquire);
            rawRelease.run();
            return took;
        });
        steps.put(RAW_RELEASE, () -> {
            rawAcquire.run();
            return Interleaved.time(rawRelease);
        });

        // Redisson's RScript as FloorBench sends its floor: the same codec, no retries.
        RedissonClient floors = Clients.redisson(Clients.lockkitTransport());
        opened.push(floors::shutdown);
        List<Object> oneKeys = List.of(lockKey);
        RedissonClient nio = Clients.redisson();
        opened.push(nio::shutdown);
        RScript nioScript = nio.getScript(
                OptionalOptions.defaults().codec(ByteArrayCodec.INSTANCE).retryAttempts(0));
        steps.put(
                REDISSON_NIO_ONE,
                Interleaved.timed(() ->
                        nioScript.<Long>evalSha(RScript.Mode.READ_WRITE, oneSha, RScript.ReturnType.INTEGER, oneKeys)));
        RScript rscript = floors.getScript(
                OptionalOptions.defaults().codec(ByteArrayCodec.INSTANCE).retryAttempts(0));
        steps.put(
                REDISSON_ONE,
                Interleaved.timed(() ->
                        rscript.<Long>evalSha(RScript.Mode.READ_WRITE, oneSha, RScript.ReturnType.INTEGER, oneKeys)));
        List<Object> acquireObjects = List.copyOf(acquireKeys);
        List<Object> releaseObjects = List.copyOf(releaseKeys);
        byte[] ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
        byte[] leaseBytes = lease.getBytes(StandardCharsets.UTF_8);
        byte[] keyBytes = "k".getBytes(StandardCharsets.UTF_8);
        steps.put(REDISSON, Interleaved.timed(() -> {
            Long token = rscript.evalSha(
                    RScript.Mode.READ_WRITE,
                    acquireSha,
                    RScript.ReturnType.INTEGER,
                    acquireObjects,
                    ownerBytes,
                    leaseBytes);
            if (token == null || token <= 0) {
                throw new IllegalStateException("acquire.lua through Redisson: expected a token, got " + token);
            }
            Long released = rscript.evalSha(
                    RScript.Mode.READ_WRITE,
                    releaseSha,
                    RScript.ReturnType.INTEGER,
                    releaseObjects,
                    ownerBytes,
                    keyBytes);
            if (released == null || released != 1) {
                throw new IllegalStateException("release.lua through Redisson: expected 1, got " + released);
            }
        }));

        LettuceConnectionFactory lettuce = lettuce(opened);
        RedisConnection connection = lettuce.getConnection();
        opened.push(connection::close);
        steps.put(LETTUCE_PING, Interleaved.timed(connection::ping));

        Backend lockkit = Clients.redis(Stores.redis()); // as LockKit.open opens it: transport=auto
        opened.push(lockkit);
        JobLock lock = lockkit.jobLock();
        String key = Clients.freshKey("breakdown-lock");
        steps.put(LOCKKIT, Interleaved.timed(() -> Interleaved.releaseHeld(Interleaved.acquireFree(lock, key, LEASE))));
        steps.put(LOCKKIT_ACQUIRE, () -> {
            long t = System.nanoTime();
            Lease held = Interleaved.acquireFree(lock, key, LEASE);
            long took = System.nanoTime() - t;
            Interleaved.releaseHeld(held);
            return took;
        });
        steps.put(LOCKKIT_RELEASE, () -> {
            Lease held = Interleaved.acquireFree(lock, key, LEASE);
            long t = System.nanoTime();
            Interleaved.releaseHeld(held);
            return System.nanoTime() - t;
        });

        // As PeerBench: an RLock of a client of its own, tryLock with no wait and a lease.
        RedissonClient peers = Clients.redisson();
        opened.push(peers::shutdown);
        RLock rlock = peers.getLock(Clients.freshKey("breakdown-rlock"));
        Interleaved.Body rlockAcquire = () -> {
            if (!rlock.tryLock(0, LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("RLock: uncontended tryLock failed");
            }
        };
        steps.put(RLOCK, Interleaved.timed(() -> {
            rlockAcquire.run();
            rlock.unlock();
        }));
        steps.put(RLOCK_ACQUIRE, () -> {
            long took = Interleaved.time(rlockAcquire);
            rlock.unlock();
            return took;
        });
        steps.put(RLOCK_RELEASE, () -> {
            rlockAcquire.run();
            return Interleaved.time(rlock::unlock);
        });

        LockProvider shedlock = new RedisLockProvider(lettuce, "lockkit-breakdown");
        new ShedLockRound(shedlock, "lock").putSteps(steps, SHED, SHED_LOCK, SHED_UNLOCK);
        return steps;
    }

    /** The text of one of the backend's scripts, read from its jar (the backend's own, not a copy). */
    private static String script(String name) throws IOException {
        String resource = "io/lockkit/redis/" + name;
        try (InputStream in = RedisBreakdown.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the Redis backend's script " + resource + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void expect(String what, String reply, String expected) {
        if (!reply.equals(expected)) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + reply);
        }
    }

    private static LettuceConnectionFactory lettuce(Deque<AutoCloseable> opened) {
        LettuceConnectionFactory factory = Clients.lettuce("lockkit-breakdown");
        opened.push(factory::destroy);
        return factory;
    }

    /**
     * The least a client can do: RESP commands written to a blocking socket of its own (no
     * {@code TCP_NODELAY} delay), each reply read before the next command. Replies come back as their
     * first line ({@code +OK}, {@code :1}, {@code $-1}); a bulk string's body is read and returned
     * instead. Not thread-safe; only the breakdown's thread uses it.
     */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Resp(URI address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), 2000);
            socket.setSoTimeout(3000);
            out = new BufferedOutputStream(socket.getOutputStream());
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** {@code SCRIPT LOAD}s {@code text}; returns its SHA-1. */
        String load(String text) throws IOException {
            return call("SCRIPT", "LOAD", text);
        }

        String call(String... args) throws IOException {
            out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            String line = line();
            if (line.startsWith("-")) {
                throw new IllegalStateException("Redis answered " + args[0] + " with " + line);
            }
            if (line.startsWith("$") && !line.equals("$-1")) {
                byte[] body = in.readNBytes(Integer.parseInt(line.substring(1)) + 2);
                return new String(body, 0, body.length - 2, StandardCharsets.UTF_8);
            }
            return line;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(32);
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("Redis closed the connection");
                }
                line.write(c);
            }
            if (in.read() != '\n') {
                throw new IOException("malformed RESP reply: " + line);
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
