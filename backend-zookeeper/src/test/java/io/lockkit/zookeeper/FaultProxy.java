package io.lockkit.zookeeper;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.ZooDefs.OpCode;

/**
 * A TCP proxy on the loopback address in front of one ZooKeeper server, for one client: it drops
 * the client's connections (the client reconnects), partitions it (connections refused, so the
 * server expires the session: a crash), loses the reply to one request after the server applied it
 * (V4), loses or delays every reply for a while (as {@code io.lockkit.tck.TcpProxy} does), and
 * counts the requests that cross it, by op code (round trips). It reads ZooKeeper's length-prefixed
 * frames: a request starts with {@code xid, type}, a reply with {@code xid}. Thread-safe.
 */
final class FaultProxy implements AutoCloseable {
    private static final int NONE = Integer.MIN_VALUE;

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicLong> requests = new ConcurrentHashMap<>();
    private final AtomicInteger loseReplyTo = new AtomicInteger(NONE);
    private volatile boolean partitionAfterLoss;
    private volatile boolean refusing;
    private volatile boolean losingReplies;
    private volatile long replyDelayNanos;

    FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("lockkit-fault-proxy-" + listener.getLocalPort(), this::acceptLoop);
    }

    /** {@code host:port} of the proxy, for the client's connect string. */
    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Drops every connection now; the client may reconnect at once. */
    void dropConnections() {
        pipes.forEach(Pipe::close);
    }

    /** Refuses connections (and drops the current ones) while {@code on}: the client cannot reach the server. */
    void partition(boolean on) {
        refusing = on;
        if (on) {
            dropConnections();
        }
    }

    /**
     * The next request of type {@code opCode} reaches the server, but its reply is swallowed and the
     * connection dropped once the server answered; with {@code thenPartition} the client cannot
     * reconnect until {@link #partition partition(false)}.
     */
    void loseReplyToNext(int opCode, boolean thenPartition) {
        partitionAfterLoss = thenPartition;
        loseReplyTo.set(opCode);
    }

    /**
     * While {@code on}, every reply (the connect response included) is discarded: the server
     * applies every request and the client never hears back. Switching it off drops every
     * connection, as the client's view is out of step with the server's by then.
     */
    void loseReplies(boolean on) {
        losingReplies = on;
        if (!on) {
            dropConnections();
        }
    }

    /** Every reply is passed on {@code delay} after it was read from the server; zero ends it. */
    void delayReplies(Duration delay) {
        replyDelayNanos = delay.toNanos();
    }

    /** Whether an armed {@link #loseReplyToNext} has happened. */
    boolean replyLost() {
        return loseReplyTo.get() == NONE;
    }

    /** Requests seen since the last reset, by op name, pings, session set-up and watch re-registration left out. */
    Map<String, Long> requests() {
        Map<String, Long> named = new TreeMap<>();
        requests.forEach((type, n) -> named.put(opName(type), n.get()));
        return named;
    }

    long requestCount() {
        return requests.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void resetCounts() {
        requests.clear();
    }

    @Override
    public void close() {
        refusing = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        dropConnections();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    client.close();
                    continue;
                }
                Socket server = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true); // as the ZooKeeper client and server do: no Nagle delay per frame
                server.setTcpNoDelay(true);
                Pipe pipe = new Pipe(client, server);
                pipes.add(pipe);
                daemon("lockkit-fault-proxy-up", pipe::up);
                daemon("lockkit-fault-proxy-down", pipe::down);
            } catch (IOException e) {
                // listener closed, or the server is down: the client sees a failed connect
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static boolean ignored(int type) {
        return type == OpCode.ping
                || type == OpCode.setWatches
                || type == OpCode.setWatches2
                || type == OpCode.auth
                || type == OpCode.closeSession;
    }

    private static String opName(int type) {
        for (var f : OpCode.class.getFields()) {
            try {
                if (f.getInt(null) == type) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                break;
            }
        }
        return "op" + type;
    }

    /** One client connection and its server connection. */
    private final class Pipe {
        private final Socket client;
        private final Socket server;
        private volatile int swallowXid = NONE;

        Pipe(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Client → server, frame by frame; the first frame is the connect request. */
        void up() {
            try (DataInputStream in = new DataInputStream(client.getInputStream());
                    DataOutputStream out = new DataOutputStream(server.getOutputStream())) {
                boolean first = true;
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    if (!first && frame.length >= 8) {
                        ByteBuffer header = ByteBuffer.wrap(frame);
                        int xid = header.getInt();
                        int type = header.getInt();
                        if (!ignored(type)) {
                            requests.computeIfAbsent(type, t -> new AtomicLong())
                                    .incrementAndGet();
                        }
                        if (loseReplyTo.compareAndSet(type, NONE)) {
                            swallowXid = xid;
                        }
                    }
                    first = false;
                    forward(out, frame);
                }
            } catch (IOException e) {
                close();
            }
        }

        /** Server → client; the reply carrying the swallowed xid is dropped, and the connection with it. */
        void down() {
            try (DataInputStream in = new DataInputStream(server.getInputStream());
                    DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
                boolean first = true;
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    if (!first && frame.length >= 4 && ByteBuffer.wrap(frame).getInt() == swallowXid) {
                        if (partitionAfterLoss) {
                            refusing = true;
                        }
                        close();
                        return;
                    }
                    first = false;
                    holdBack(System.nanoTime());
                    if (!losingReplies) {
                        forward(out, frame);
                    }
                }
            } catch (IOException e) {
                close();
            }
        }

        private void holdBack(long arrived) {
            long until = arrived + replyDelayNanos;
            for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }

        /** One write per frame, length included. */
        private void forward(DataOutputStream out, byte[] frame) throws IOException {
            out.write(ByteBuffer.allocate(4 + frame.length)
                    .putInt(frame.length)
                    .put(frame)
                    .array());
            out.flush();
        }

        void close() {
            pipes.remove(this);
            try {
                client.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                server.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
