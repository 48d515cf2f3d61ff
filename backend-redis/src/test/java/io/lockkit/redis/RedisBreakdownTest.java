package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lockkit.Lease;
import io.lockkit.testkit.redis.RedisTestServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.redisson.api.RLock;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Where the time of an uncontended acquire+release goes, against the test server: every step
 * interleaved in one thread, {@code OPS} operations of each in turn, round after round, so the
 * machine's load falls on all alike. Prints the median and p90 of each step in µs and the ratios
 * between them, and writes them to {@code target/redis-breakdown.txt}; asserts only that every
 * acquire and release succeeded and that tokens increase, never a time.
 *
 * <p>Steps: {@code EVALSHA} of {@code return 1} and of one {@code SET} through a bare RESP socket
 * (the physical floors) and through Redisson as lockkit sends scripts (the floor and the write
 * floor); lockkit's acquire and release scripts sent raw, through Redisson's public {@code RScript}
 * (how {@link Store} sent them before) and through {@link Store}; lockkit's {@code tryAcquire} +
 * {@code release}; Redisson's {@code RLock} {@code tryLock} + {@code unlock}; ShedLock's Redis
 * commands ({@code SET NX PX}, {@code DEL}) through Lettuce, without ShedLock and spring-data-redis
 * around them (the bench module's {@code UncontendedRun} measures the real ShedLock provider).
 *
 * <p>Rerun: {@code ./mvnw -B -o -q -pl backend-redis verify -Dtest=RedisBreakdownTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (rounds: {@code -Dbreakdown.rounds=600}).
 */
@DisplayName("Redis acquire+release breakdown")
class RedisBreakdownTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int OPS = 10;
    private static final int ROUNDS = Integer.getInteger("breakdown.rounds", 300);
    private static final int WARMUP_ROUNDS = Integer.getInteger("breakdown.warmup", 150);

    private final RedisTestServer redis = RedisTestServer.get();
    private final String prefix = RedisTestServer.freshPrefix("breakdown");
    private final Keys keys = new Keys(prefix);
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** One step: one operation, checked; returns whether it succeeded. */
    private interface Op {
        boolean run() throws Exception;
    }

    private record Step(String name, Op op, long[] samples, int[] count) {
        Step(String name, Op op) {
            this(name, op, new long[ROUNDS * OPS], new int[2]);
        }
    }

    @AfterEach
    void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    @Test
    @DisplayName("acquire+release against its floors and peers, interleaved in one thread")
    void breakdown() throws Exception {
        byte[] one = bytes("return 1");
        byte[] set = bytes("return redis.call('set', KEYS[1], ARGV[1])");

        Resp raw = open(new Resp(redis.host(), redis.port()));
        String oneSha = raw.string("SCRIPT", "LOAD", one);
        String setSha = raw.string("SCRIPT", "LOAD", set);
        raw.string("SCRIPT", "LOAD", bytes(Script.ACQUIRE.text));
        raw.string("SCRIPT", "LOAD", bytes(Script.RELEASE.text));

        RScript floorScript = script(newRedisson());
        RScript writeScript = script(newRedisson());
        List<Object> floorKeys = List.of(prefix + ":floor");
        List<Object> writeKeys = List.of(prefix + ":write-floor");
        byte[] writeValue = {1};

        RedisBackend store = RedisBackend.builder(newRedisson()).prefix(prefix).build();
        opened.push(store);
        RedisBackend backend =
                RedisBackend.builder(newRedisson()).prefix(prefix).build();
        opened.push(backend);
        long[] lastToken = {0};

        RLock rLock = newRedisson().getLock(prefix + ":rlock");

        RedisClient lettuce = RedisClient.create(redis.address());
        opened.push(lettuce::shutdown);
        StatefulRedisConnection<String, String> connection = lettuce.connect();
        opened.push(connection);
        RedisCommands<String, String> shedLock = connection.sync();
        String shedLockKey = prefix + ":shedlock";
        String shedLockValue = "ADDED:2026-12-02T04:22:00.000Z@lockkit-breakdown-host";

        long leaseMillis = LEASE.toMillis();
        List<Step> steps = List.of(
                new Step("raw EVALSHA return 1 (physical floor)", () -> raw.integer(evalSha(oneSha, 0)) == 1),
                new Step(
                        "Redisson EVALSHA return 1 (floor)",
                        () -> floorScript.<Long>evalSha(
                                        RScript.Mode.READ_WRITE, oneSha, RScript.ReturnType.INTEGER, floorKeys)
                                == 1L),
                new Step("raw EVALSHA one SET (physical write floor)", () -> raw.string(
                                evalSha(setSha, 1, bytes(prefix + ":raw-write"), writeValue))
                        .equals("OK")),
                new Step(
                        "Redisson EVALSHA one SET (write floor)",
                        () -> writeScript.evalSha(
                                        RScript.Mode.READ_WRITE,
                                        setSha,
                                        RScript.ReturnType.STATUS,
                                        writeKeys,
                                        writeValue)
                                != null),
                new Step("raw acquire.lua + release.lua", () -> rawAcquireRelease(raw, "raw")),
                new Step(
                        "Redisson RScript acquire.lua + release.lua",
                        () -> rscriptAcquireRelease(floorScript, "rscript")),
                new Step("Store.run acquire.lua + release.lua", () -> storeAcquireRelease(store, "store")),
                new Step("lockkit tryAcquire + release", () -> {
                    Lease lease = backend.jobLock().tryAcquire("lockkit", LEASE).orElseThrow();
                    boolean increasing = lease.token() > lastToken[0];
                    lastToken[0] = lease.token();
                    return lease.release() && increasing;
                }),
                new Step("Redisson RLock tryLock + unlock", () -> {
                    if (!rLock.tryLock(0, leaseMillis, TimeUnit.MILLISECONDS)) {
                        return false;
                    }
                    rLock.unlock();
                    return true;
                }),
                new Step(
                        "Lettuce SET NX PX + DEL (ShedLock's commands)",
                        () -> "OK"
                                        .equals(shedLock.set(
                                                shedLockKey,
                                                shedLockValue,
                                                SetArgs.Builder.nx().px(leaseMillis)))
                                && shedLock.del(shedLockKey) == 1L));

        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            for (Step step : steps) {
                for (int i = 0; i < OPS; i++) {
                    assertThat(step.op().run()).as(step.name() + " (warm-up)").isTrue();
                }
            }
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (Step step : steps) {
                for (int i = 0; i < OPS; i++) {
                    long t0 = System.nanoTime();
                    boolean ok = step.op().run();
                    step.samples()[round * OPS + i] = System.nanoTime() - t0;
                    step.count()[ok ? 0 : 1]++;
                }
            }
        }

        report(steps);
        for (Step step : steps) {
            assertThat(step.count()[0])
                    .as(step.name() + ": operations that succeeded")
                    .isEqualTo(ROUNDS * OPS);
        }
    }

    /** lockkit's two scripts on the bare socket: acquire (a positive reply is a token), then release. */
    private boolean rawAcquireRelease(Resp raw, String key) throws IOException {
        byte[] owner = owner();
        long token = raw.integer(evalSha(
                Script.ACQUIRE.sha,
                3,
                bytes(keys.lock(key)),
                bytes(keys.counter()),
                bytes(keys.epoch()),
                owner,
                bytes(Long.toString(LEASE.toMillis()))));
        return token > 0
                && raw.integer(evalSha(
                                Script.RELEASE.sha, 2, bytes(keys.lock(key)), bytes(keys.channel()), owner, bytes(key)))
                        == 1L;
    }

    /** lockkit's two scripts through Redisson's public script API, with the options lockkit uses. */
    private boolean rscriptAcquireRelease(RScript script, String key) {
        byte[] owner = owner();
        Long token = script.evalSha(
                RScript.Mode.READ_WRITE,
                Script.ACQUIRE.sha,
                RScript.ReturnType.INTEGER,
                keys.acquireKeys(key),
                owner,
                bytes(Long.toString(LEASE.toMillis())));
        Long released = script.evalSha(
                RScript.Mode.READ_WRITE,
                Script.RELEASE.sha,
                RScript.ReturnType.INTEGER,
                keys.releaseKeys(key),
                owner,
                bytes(key));
        return token > 0 && released == 1L;
    }

    /** lockkit's two scripts through its {@link Store}, without the lease around them. */
    private boolean storeAcquireRelease(RedisBackend client, String key) {
        byte[] owner = owner();
        Long token = client.store()
                .run(
                        Script.ACQUIRE,
                        RScript.ReturnType.INTEGER,
                        client.keys().acquireKeys(key),
                        owner,
                        LEASE.toMillis());
        Long released = client.store()
                .run(Script.RELEASE, RScript.ReturnType.INTEGER, client.keys().releaseKeys(key), owner, key);
        return token > 0 && released == 1L;
    }

    private void report(List<Step> steps) throws IOException {
        double floor = median(steps, "Redisson EVALSHA return 1");
        double writeFloor = median(steps, "Redisson EVALSHA one SET");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "%-48s %9s %9s %8s %10s  (%d rounds x %d ops, median of each step)",
                "step",
                "median",
                "p90",
                "/ floor",
                "/ write fl",
                ROUNDS,
                OPS));
        for (Step step : steps) {
            double m = median(step);
            lines.add(String.format(
                    Locale.ROOT,
                    "%-48s %9.1f %9.1f %8.2f %10.2f",
                    step.name(),
                    m,
                    percentile(step, 0.9),
                    m / floor,
                    m / writeFloor));
        }
        double lockkit = median(steps, "lockkit tryAcquire");
        double raw = median(steps, "raw acquire.lua");
        double store = median(steps, "Store.run");
        lines.add(String.format(
                Locale.ROOT,
                "lockkit / RLock %.2f, lockkit / Lettuce SET NX PX + DEL %.2f, lockkit / 2 write floors %.2f;"
                        + " over the raw scripts: Redisson's RScript %+.1f us, Store.run %+.1f us, the lease %+.1f us",
                lockkit / median(steps, "Redisson RLock"),
                lockkit / median(steps, "Lettuce"),
                lockkit / (2 * writeFloor),
                median(steps, "Redisson RScript") - raw,
                store - raw,
                lockkit - store));
        lines.forEach(l -> System.out.println("[breakdown] " + l));
        Files.write(Path.of("target", "redis-breakdown.txt"), lines, StandardCharsets.UTF_8);
    }

    private static double median(List<Step> steps, String name) {
        return median(steps.stream()
                .filter(s -> s.name().startsWith(name))
                .findFirst()
                .orElseThrow());
    }

    private static double median(Step step) {
        return percentile(step, 0.5);
    }

    private static double percentile(Step step, double p) {
        long[] s = step.samples().clone();
        Arrays.sort(s);
        return s[(int) Math.floor(p * (s.length - 1))] / 1000.0;
    }

    private RedissonClient newRedisson() {
        RedissonClient redisson = redis.newRedisson(RedisTestServer.newClientName("breakdown"));
        opened.push(redisson::shutdown);
        return redisson;
    }

    /** A script client as lockkit's: byte arrays as they are, Redisson's retries off. */
    private static RScript script(RedissonClient redisson) {
        return redisson.getScript(
                OptionalOptions.defaults().codec(ByteArrayCodec.INSTANCE).retryAttempts(0));
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.push(resource);
        return resource;
    }

    private static byte[][] evalSha(String sha, int keyCount, byte[]... keysAndArgs) {
        byte[][] command = new byte[3 + keysAndArgs.length][];
        command[0] = bytes("EVALSHA");
        command[1] = bytes(sha);
        command[2] = bytes(Integer.toString(keyCount));
        System.arraycopy(keysAndArgs, 0, command, 3, keysAndArgs.length);
        return command;
    }

    private static byte[] owner() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return bytes(HexFormat.of().formatHex(id));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A bare RESP2 connection: writes a command's bytes, reads its one reply. Not thread-safe. */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

        Resp(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        long integer(byte[]... command) throws IOException {
            return (Long) call(command);
        }

        String string(Object... command) throws IOException {
            Object reply = call(Arrays.stream(command)
                    .map(a -> a instanceof byte[] b ? b : bytes(a.toString()))
                    .toArray(byte[][]::new));
            return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) reply;
        }

        List<?> array(byte[]... command) throws IOException {
            return (List<?>) call(command);
        }

        private Object call(byte[][] command) throws IOException {
            buffer.reset();
            header('*', command.length);
            for (byte[] arg : command) {
                header('$', arg.length);
                buffer.write(arg);
                buffer.write('\r');
                buffer.write('\n');
            }
            buffer.writeTo(out);
            out.flush();
            return read();
        }

        private void header(char type, int n) {
            buffer.write(type);
            buffer.writeBytes(bytes(Integer.toString(n)));
            buffer.write('\r');
            buffer.write('\n');
        }

        private Object read() throws IOException {
            int type = in.read();
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new IOException("Redis replied " + line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n);
                    in.skipNBytes(2);
                    return b;
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    List<Object> items = new ArrayList<>(Math.max(n, 0));
                    for (int i = 0; i < n; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("unexpected reply type " + type);
            }
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                s.append((char) c);
            }
            in.read(); // '\n'
            return s.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
