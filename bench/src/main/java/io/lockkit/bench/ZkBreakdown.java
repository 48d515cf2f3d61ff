package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.zookeeper.curator.ZookeeperCuratorLockProvider;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Where ZooKeeper's time goes, in round trips and writes, interleaved in one thread as {@link
 * PgBreakdown} is (a batch of each step in turn, round after round, so the machine's load falls on
 * all alike and the steps can be subtracted). Steps: the read floor ({@code exists /}), the write
 * floors ({@code setData} on one node, as {@link UncontendedRun}'s write floor; the create of an
 * ephemeral sequential node under a parent, as a lock's, and its delete, each alone and both), that
 * create with the read of its parent's children sent right behind it on the raw ZooKeeper handle
 * (lockkit's acquire without lockkit: one round trip, one write), lockkit's {@code tryAcquire} +
 * {@code release} and each alone (the release is a delete), Curator's {@code InterProcessMutex} (a create, then
 * a {@code getChildren}; the release a delete: three round trips, two writes) and ShedLock's
 * ZooKeeper provider (a {@code getData}, then a versioned {@code setData}; the unlock a {@code
 * setData}: three round trips, two writes), each lock + unlock and each half alone (the other half
 * untimed). Every client is a Curator client of its own, configured as {@link Clients} configures
 * them. {@link #FLOORS} derives from the floors what each operation cannot go below.
 *
 * <p>Prints medians and writes them to {@value #FILE}: {@code ZkBreakdown OUT.json [ROUNDS [WARM-UP
 * ROUNDS]]} (defaults 40 and 50; {@value #BATCH} of each step per round). {@link BenchMain} runs it
 * in a JVM of its own in full runs (the embedded server runs in the launcher's), and in the
 * launcher's JVM with one round (and one warm-up round) in smoke runs.
 */
public final class ZkBreakdown {
    /** The file name of the results in the output folder. */
    static final String FILE = "zookeeper-breakdown.json";

    static final String READ = "exists / (read floor)";
    static final String SET_DATA = "setData on one node (write floor)";
    static final String CREATE_DELETE = "create + delete of an ephemeral sequential node (two writes)";
    static final String CREATE = "create of an ephemeral sequential node alone";
    static final String DELETE = "delete of an ephemeral sequential node alone";
    static final String PIPELINED = "create + getChildren of its parent, pipelined (lockkit's acquire, raw)";
    static final String LOCKKIT = "lockkit zookeeper tryAcquire + release";
    static final String LOCKKIT_ACQUIRE = "lockkit zookeeper tryAcquire alone";
    static final String LOCKKIT_RELEASE = "lockkit zookeeper release alone";
    static final String MUTEX = "Curator InterProcessMutex acquire + release";
    static final String MUTEX_ACQUIRE = "Curator InterProcessMutex acquire alone";
    static final String MUTEX_RELEASE = "Curator InterProcessMutex release alone";
    static final String SHED = "ShedLock ZooKeeper lock + unlock";
    static final String SHED_LOCK = "ShedLock ZooKeeper lock alone";
    static final String SHED_UNLOCK = "ShedLock ZooKeeper unlock alone";

    static final int BATCH = 10;
    private static final Duration LEASE = Duration.ofSeconds(30);

    /**
     * What each operation cannot go below, in round trips and writes: lockkit's acquire a create
     * (the queue read rides in the same round trip), its release a delete; the mutex a create, a
     * read and a delete; ShedLock a read and two {@code setData}.
     */
    static final List<Report.Floor> FLOORS = List.of(
            new Report.Floor(LOCKKIT, "create + delete (2 writes, 2 round trips)", List.of(CREATE_DELETE)),
            new Report.Floor(LOCKKIT_ACQUIRE, "create (1 write, 1 round trip)", List.of(CREATE)),
            new Report.Floor(PIPELINED, "create (1 write, 1 round trip)", List.of(CREATE)),
            new Report.Floor(LOCKKIT_RELEASE, "delete (1 write)", List.of(DELETE)),
            new Report.Floor(
                    MUTEX, "create + delete + exists / (2 writes, 3 round trips)", List.of(CREATE_DELETE, READ)),
            new Report.Floor(MUTEX_ACQUIRE, "create + exists / (1 write, 2 round trips)", List.of(CREATE, READ)),
            new Report.Floor(MUTEX_RELEASE, "delete (1 write)", List.of(DELETE)),
            new Report.Floor(
                    SHED, "exists / + 2 × setData (2 writes, 3 round trips)", List.of(READ, SET_DATA, SET_DATA)),
            new Report.Floor(SHED_LOCK, "exists / + setData (1 write, 2 round trips)", List.of(READ, SET_DATA)),
            new Report.Floor(SHED_UNLOCK, "setData (1 write)", List.of(SET_DATA)));

    /** lockkit's acquire + release at its floor against each peer of its targets as measured. */
    static final List<Report.Reach> REACH = List.of(
            new Report.Reach("zookeeper", LOCKKIT, "curator/InterProcessMutex", MUTEX),
            new Report.Reach("zookeeper", LOCKKIT, "shedlock/zookeeper", SHED));

    private ZkBreakdown() {}

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
        String base = "/" + Clients.freshKey("breakdown");

        CuratorFramework floors = curator(opened);
        String data = base + "-data";
        String queue = base + "-queue"; // as a lock's parent: its children are ephemeral sequential nodes
        byte[] value = {1};
        floors.create().forPath(data, value);
        floors.create().forPath(queue);
        steps.put(READ, Interleaved.timed(() -> floors.checkExists().forPath("/")));
        steps.put(SET_DATA, Interleaved.timed(() -> floors.setData().forPath(data, value)));
        String[] node = {""};
        Interleaved.Body create = () -> node[0] =
                floors.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(queue + "/n-");
        Interleaved.Body delete = () -> floors.delete().forPath(node[0]);
        steps.put(CREATE_DELETE, Interleaved.timed(() -> {
            create.run();
            delete.run();
        }));
        steps.put(CREATE, () -> {
            long took = Interleaved.time(create);
            delete.run();
            return took;
        });
        steps.put(DELETE, () -> {
            create.run();
            return Interleaved.time(delete);
        });
        ZooKeeper zk = floors.getZookeeperClient().getZooKeeper();
        steps.put(PIPELINED, () -> {
            long t = System.nanoTime();
            CompletableFuture<String> created = new CompletableFuture<>();
            zk.create(
                    queue + "/n-",
                    new byte[0],
                    ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL_SEQUENTIAL,
                    (rc, path, ctx, name) -> complete(created, rc, path, name),
                    null);
            CompletableFuture<List<String>> children = new CompletableFuture<>();
            zk.getChildren(queue, false, (rc, path, ctx, names) -> complete(children, rc, path, names), null);
            node[0] = created.get(10, TimeUnit.SECONDS);
            children.get(10, TimeUnit.SECONDS);
            long took = System.nanoTime() - t;
            delete.run();
            return took;
        });

        Backend lockkit = Clients.zookeeper(Clients.curator());
        opened.push(lockkit);
        JobLock lock = lockkit.jobLock();
        String key = Clients.freshKey("breakdown-lock");
        steps.put(LOCKKIT, Interleaved.timed(() -> Interleaved.releaseHeld(Interleaved.acquireFree(lock, key, LEASE))));
        steps.put(LOCKKIT_ACQUIRE, () -> {
            long t = System.nanoTime();
            Lease lease = Interleaved.acquireFree(lock, key, LEASE);
            long took = System.nanoTime() - t;
            Interleaved.releaseHeld(lease);
            return took;
        });
        steps.put(LOCKKIT_RELEASE, () -> {
            Lease lease = Interleaved.acquireFree(lock, key, LEASE);
            long t = System.nanoTime();
            Interleaved.releaseHeld(lease);
            return System.nanoTime() - t;
        });

        InterProcessMutex mutex = new InterProcessMutex(curator(opened), base + "-mutex");
        Interleaved.Body mutexAcquire = () -> {
            if (!mutex.acquire(0, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("InterProcessMutex: uncontended acquire failed");
            }
        };
        steps.put(MUTEX, Interleaved.timed(() -> {
            mutexAcquire.run();
            mutex.release();
        }));
        steps.put(MUTEX_ACQUIRE, () -> {
            long took = Interleaved.time(mutexAcquire);
            mutex.release();
            return took;
        });
        steps.put(MUTEX_RELEASE, () -> {
            mutexAcquire.run();
            return Interleaved.time(mutex::release);
        });

        LockProvider shedlock = new ZookeeperCuratorLockProvider(curator(opened), base + "-shedlock");
        new ShedLockRound(shedlock, "lock").putSteps(steps, SHED, SHED_LOCK, SHED_UNLOCK);
        return steps;
    }

    /** Completes {@code reply} from a ZooKeeper callback: with {@code value}, or the error {@code rc} names. */
    private static <T> void complete(CompletableFuture<T> reply, int rc, String path, T value) {
        if (rc == KeeperException.Code.OK.intValue()) {
            reply.complete(value);
        } else {
            reply.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
        }
    }

    private static CuratorFramework curator(Deque<AutoCloseable> opened) {
        CuratorFramework curator = Clients.curator();
        opened.push(curator);
        return curator;
    }
}
