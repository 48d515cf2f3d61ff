package io.lockkit.bench;

import io.lockkit.postgresql.Listening;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The store's own notification, the hop of a handoff that no lock on that store can skip: one
 * client sends it (PostgreSQL {@code NOTIFY} in autocommit, Redis {@code PUBLISH} through Redisson,
 * a ZooKeeper {@code delete} of a node another client watches with {@code getData}, as lockkit's
 * waiters listen; the PostgreSQL listener without pgjdbc's 1 ms probe after each notification, as
 * lockkit's), and a listener on another client hears it on its own thread. Timed from the send
 * to the bench thread seeing the listener's signal, after {@link UncontendedRun#COLD_IDLE_NANOS} of
 * idling, as long as a handoff benchmark's waiter idles. A lockkit handoff is this plus the waiter's
 * acquire. One bench thread.
 */
final class NotifyHop implements Interleaved.Step, AutoCloseable {
    private static final String CHANNEL = "lockkit_bench_notify_hop";
    private static final long HEARD_WITHIN_SECONDS = 10;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private volatile CompletableFuture<Object> heard = new CompletableFuture<>();
    private volatile boolean closed;
    private Interleaved.Body arm = () -> {};
    private Interleaved.Body send = () -> {
        throw new IllegalStateException("not set up");
    };

    private NotifyHop() {}

    /** A hop on {@code store}, its clients connected and its listener listening. */
    static NotifyHop open(String store) throws Exception {
        NotifyHop hop = new NotifyHop();
        try {
            switch (store) {
                case "postgresql" -> hop.postgres();
                case "redis" -> hop.redis();
                case "zookeeper" -> hop.zookeeper();
                default -> throw new IllegalArgumentException("unknown store: " + store);
            }
            return hop;
        } catch (Exception | Error e) {
            hop.close();
            throw e;
        }
    }

    private void postgres() throws SQLException {
        Connection listener = Clients.dataSource().getConnection();
        opened.push(listener);
        try (Statement s = listener.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        }
        // As lockkit's listener does: without pgjdbc's 1 ms probe after each notification.
        if (!Listening.skipTrailingProbe(listener)) {
            throw new IllegalStateException("pgjdbc's notification probe could not be switched off");
        }
        PGConnection pg = listener.unwrap(PGConnection.class);
        // Like lockkit's Watcher: a bounded wait, so close() can stop the thread.
        Thread thread = new Thread(
                () -> {
                    try {
                        while (!closed) {
                            PGNotification[] got = pg.getNotifications(100);
                            if (got != null && got.length > 0) {
                                heard.complete(got[0].getParameter());
                            }
                        }
                    } catch (SQLException e) {
                        heard.completeExceptionally(e);
                    }
                },
                "notify-hop-listener");
        thread.setDaemon(true);
        thread.start();
        opened.push(() -> thread.join(5_000)); // close() has set closed: the thread ends within one wait
        Connection sender = Clients.dataSource().getConnection();
        opened.push(sender);
        PreparedStatement notify = sender.prepareStatement("SELECT pg_notify('" + CHANNEL + "', 'k')");
        send = () -> notify.executeQuery().close();
    }

    private void redis() {
        RedissonClient listener = Clients.redisson(Clients.lockkitTransport());
        opened.push(listener::shutdown);
        RTopic in = listener.getTopic(CHANNEL, StringCodec.INSTANCE);
        in.addListener(String.class, (channel, message) -> heard.complete(message));
        RedissonClient sender = Clients.redisson(Clients.lockkitTransport());
        opened.push(sender::shutdown);
        RTopic out = sender.getTopic(CHANNEL, StringCodec.INSTANCE);
        send = () -> out.publish("k");
    }

    private void zookeeper() {
        CuratorFramework listener = Clients.curator();
        opened.push(listener);
        CuratorFramework sender = Clients.curator();
        opened.push(sender);
        String path = "/" + Clients.freshKey("notify-hop");
        Watcher watcher = event -> heard.complete(event);
        arm = () -> {
            sender.create().forPath(path);
            listener.getData().usingWatcher(watcher).forPath(path);
        };
        send = () -> sender.delete().forPath(path);
    }

    @Override
    public long run() throws Exception {
        CompletableFuture<Object> next = new CompletableFuture<>();
        heard = next;
        arm.run();
        LockSupport.parkNanos(UncontendedRun.COLD_IDLE_NANOS);
        long t0 = System.nanoTime();
        send.run();
        next.get(HEARD_WITHIN_SECONDS, TimeUnit.SECONDS);
        return System.nanoTime() - t0;
    }

    /** Its idling would make the warm-up long; the cold floor beside it says what idling costs. */
    @Override
    public boolean warmsUp() {
        return false;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }
}
