package io.lockkit.testkit.zookeeper;

import io.lockkit.tck.harness.TcpProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TcpProxy} in front of one ZooKeeper server, for one client, that reads ZooKeeper's
 * length-prefixed frames (a request starts with {@code xid, type}, a reply with {@code xid}, the
 * first of each connection is the connect request or response): it counts the requests that cross
 * it by op code (round trips), loses the reply to one request after the server applied it (V4),
 * and remembers the session the server last granted through it. The faults that need no frames
 * (drop, partition, lose or delay every reply) are the {@link #tcp() TcpProxy}'s. Thread-safe.
 */
public final class ZooKeeperProxy implements AutoCloseable {
    private static final int NONE = Integer.MIN_VALUE;

    /** A session as the server's connect response granted it. */
    public record Session(long id, byte[] password) {}

    private final TcpProxy tcp;
    private final Map<Integer, AtomicLong> requests = new ConcurrentHashMap<>();
    private final AtomicInteger loseReplyTo = new AtomicInteger(NONE);
    private volatile boolean partitionAfterLoss;
    private volatile @Nullable Session session;

    public ZooKeeperProxy(String host, int port) throws IOException {
        this.tcp = new TcpProxy(host, port, Frames::new);
    }

    /** The proxy itself: {@code dropConnections}, {@code partition}, {@code loseReplies}, {@code delayReplies}. */
    public TcpProxy tcp() {
        return tcp;
    }

    /** {@code host:port} of the proxy, for the client's connect string. */
    public String address() {
        return tcp.address();
    }

    /**
     * The next request of type {@code opCode} ({@link OpCode}) reaches the server, but its reply is
     * swallowed and the connection dropped once the server answered; with {@code thenPartition}
     * the client cannot reconnect until {@code tcp().partition(false)}.
     */
    public void loseReplyToNext(int opCode, boolean thenPartition) {
        partitionAfterLoss = thenPartition;
        loseReplyTo.set(opCode);
    }

    /** Whether an armed {@link #loseReplyToNext} has happened. */
    public boolean replyLost() {
        return loseReplyTo.get() == NONE;
    }

    /** The session the server granted in its last connect response through this proxy, if any. */
    public @Nullable Session session() {
        return session;
    }

    /** Requests seen since the last reset, by op name, pings, session set-up and watch re-registration left out. */
    public Map<String, Long> requests() {
        Map<String, Long> named = new TreeMap<>();
        requests.forEach((type, n) -> named.put(opName(type), n.get()));
        return named;
    }

    public long requestCount() {
        return requests.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public void resetCounts() {
        requests.clear();
    }

    @Override
    public void close() {
        tcp.close();
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

    /** One connection's frames, both directions. */
    private final class Frames implements TcpProxy.Tap {
        private final ByteArrayOutputStream up = new ByteArrayOutputStream();
        private final ByteArrayOutputStream down = new ByteArrayOutputStream();
        private boolean firstUp = true; // the up pump's own
        private boolean firstDown = true; // the down pump's own
        private volatile int swallowXid = NONE;

        @Override
        public boolean pass(boolean fromClient, byte[] bytes, int length) {
            ByteArrayOutputStream pending = fromClient ? up : down;
            pending.write(bytes, 0, length);
            ByteBuffer buffer = ByteBuffer.wrap(pending.toByteArray());
            boolean pass = true;
            while (buffer.remaining() >= 4 && buffer.remaining() - 4 >= buffer.getInt(buffer.position())) {
                int size = buffer.getInt();
                ByteBuffer frame = buffer.slice();
                frame.limit(size);
                buffer.position(buffer.position() + size);
                pass &= fromClient ? request(frame) : reply(frame);
            }
            pending.reset();
            pending.write(buffer.array(), buffer.position(), buffer.remaining());
            return pass;
        }

        private boolean request(ByteBuffer frame) {
            if (firstUp) {
                firstUp = false;
                return true;
            }
            if (frame.remaining() >= 8) {
                int xid = frame.getInt();
                int type = frame.getInt();
                if (!ignored(type)) {
                    requests.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
                }
                if (loseReplyTo.compareAndSet(type, NONE)) {
                    swallowXid = xid;
                }
            }
            return true;
        }

        /** The connect response ({@code protocolVersion, timeOut, sessionId, passwd}), then replies by xid. */
        private boolean reply(ByteBuffer frame) {
            if (firstDown) {
                firstDown = false;
                if (frame.remaining() >= 20) {
                    frame.getInt();
                    int timeout = frame.getInt();
                    long id = frame.getLong();
                    byte[] password = new byte[Math.min(frame.getInt(), frame.remaining())];
                    frame.get(password);
                    if (timeout > 0) { // zero: the session had expired
                        session = new Session(id, password);
                    }
                }
                return true;
            }
            if (frame.remaining() >= 4 && frame.getInt() == swallowXid) {
                if (partitionAfterLoss) {
                    tcp.partition(true);
                }
                return false;
            }
            return true;
        }
    }
}
