package io.lockkit.tck.harness;

import io.lockkit.tck.StoreFaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A TCP proxy on the loopback address in front of one server, for one client, so faults hit that
 * client's wire only: {@link #dropConnections()} cuts its connections (the client reconnects), and
 * {@link #partition(boolean)} refuses new ones too (the server then ends its session by timeout, as
 * for a crashed process). For {@link StoreFaults} implementations and the race comparison's
 * cross-process faults; {@link #loseReplies(boolean)} and {@link #delayReplies(Duration)} let
 * requests through while the replies are dropped or held back. It also counts round trips ({@link
 * #roundTrips()}), for the benchmarks. A {@link Tap} sees each connection's bytes, for faults that
 * read the store's protocol. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {
    /**
     * Watches one connection's bytes, before they are passed on (and before replies are delayed or
     * lost). Called from that connection's two pump threads, one per direction.
     */
    public interface Tap {
        /**
         * {@code bytes[0..length)} were just read from the client ({@code fromClient}) or from the
         * server; returns false to close the connection instead of passing them on.
         */
        boolean pass(boolean fromClient, byte[] bytes, int length);
    }

    private static final Tap PASS_ALL = (fromClient, bytes, length) -> true;

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong turns = new AtomicLong();
    private final Supplier<? extends Tap> taps;
    private volatile boolean refusing;
    private volatile boolean losingReplies;
    private volatile long replyDelayNanos;
    private volatile boolean closed;

    public TcpProxy(String host, int port) throws IOException {
        this(host, port, () -> PASS_ALL);
    }

    /** A proxy whose connections each get a new {@link Tap} from {@code taps}. */
    public TcpProxy(String host, int port, Supplier<? extends Tap> taps) throws IOException {
        this.host = host;
        this.port = port;
        this.taps = taps;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("lockkit-tcp-proxy-" + listener.getLocalPort(), this::acceptLoop);
    }

    /** The proxy's port on the loopback address. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:port} of the proxy. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /**
     * Round trips so far, over all connections: on each, every turn from "the server spoke last" (or
     * nothing yet) to "the client sends" is one request the client then waits on; requests pipelined
     * before a reply count once, as they cost one round trip.
     */
    public long roundTrips() {
        return turns.get();
    }

    /** Closes every connection through the proxy now; new ones are accepted unless partitioned. */
    public void dropConnections() {
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** While {@code on}, connections are refused (accepted and closed at once) and current ones dropped. */
    public void partition(boolean on) {
        refusing = on;
        if (on) {
            dropConnections();
        }
    }

    /**
     * While {@code on}, bytes from the server to the client are discarded: the server applies every
     * request and the client never hears back. Switching it off drops every connection through the
     * proxy, as the client's streams are out of step with the server's by then.
     */
    public void loseReplies(boolean on) {
        losingReplies = on;
        if (!on) {
            dropConnections();
        }
    }

    /** Bytes from the server to the client are passed on {@code delay} after they arrive; zero ends it. */
    public void delayReplies(Duration delay) {
        replyDelayNanos = delay.toNanos();
    }

    /** {@link #loseReplies(boolean) loseReplies(true)} until the handle is closed: {@link StoreFaults#loseReplies} for a target with a proxy per client. */
    public StoreFaults.Heal losingReplies() {
        loseReplies(true);
        return () -> loseReplies(false);
    }

    /** {@link #delayReplies(Duration)} until the handle is closed: {@link StoreFaults#delayReplies} for a target with a proxy per client. */
    public StoreFaults.Heal delayingReplies(Duration delay) {
        delayReplies(delay);
        return () -> delayReplies(Duration.ZERO);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing || closed) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket(host, port);
                // As the stores' own clients and servers do: without it, the second of two pipelined
                // replies waits about 40 ms for the peer's delayed ACK (Nagle), which no real link adds.
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                boolean[] clientSpokeLast = {false}; // this connection's last direction
                Tap tap = taps.get();
                daemon("lockkit-peers-pipe", () -> pump(client, server, clientSpokeLast, true, tap));
                daemon("lockkit-peers-pipe", () -> pump(server, client, clientSpokeLast, false, tap));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean[] clientSpokeLast, boolean fromClient, Tap tap) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (clientSpokeLast) {
                    if (fromClient && !clientSpokeLast[0]) {
                        turns.incrementAndGet();
                    }
                    clientSpokeLast[0] = fromClient;
                }
                if (!tap.pass(fromClient, buffer, n)) {
                    break;
                }
                if (!fromClient) {
                    holdBack();
                    if (losingReplies) {
                        continue;
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private void holdBack() {
        long delay = replyDelayNanos;
        long until = System.nanoTime() + delay;
        for (long left = delay; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        dropConnections();
    }
}
