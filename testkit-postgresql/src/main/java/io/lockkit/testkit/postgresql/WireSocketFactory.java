package io.lockkit.testkit.postgresql;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * A pgjdbc {@code socketFactory} that watches the wire of the connections it makes: it counts
 * round trips (a read that follows a write: the client sent a request and now waits for the
 * reply), per calling thread so a client's background watcher is not counted, and it can cut a
 * connection right after a request went out, as a network that loses the reply does. Selected by
 * the {@code socketFactoryArg} naming a {@link Wire}. Thread-safe.
 */
public final class WireSocketFactory extends SocketFactory {
    private static final Map<String, Wire> WIRES = new ConcurrentHashMap<>();

    /** The counters and switches of the connections made with one {@code socketFactoryArg}. */
    public static final class Wire {
        private final Map<Thread, AtomicLong> roundTrips = new ConcurrentHashMap<>();
        private int cuts; // guarded by this
        private @Nullable String cutMarker; // guarded by this
        private Runnable meanwhile = () -> {}; // guarded by this
        private @Nullable String lateMarker; // guarded by this
        private Runnable beforeLate = () -> {}; // guarded by this

        /** Round trips made by the calling thread so far. */
        public long roundTrips() {
            return roundTrips
                    .computeIfAbsent(Thread.currentThread(), t -> new AtomicLong())
                    .get();
        }

        /** The next reply any connection of this wire waits for is lost: the connection breaks instead. */
        public void cutNextReply() {
            cutReplies(null, 1, () -> {});
        }

        /**
         * The next {@code times} replies to requests whose bytes contain {@code marker} (any request
         * when null) are lost; before each connection breaks, once the server has applied the
         * request, {@code meanwhile} runs (another client's write slipping in before the resend).
         */
        public synchronized void cutReplies(@Nullable String marker, int times, Runnable meanwhile) {
            this.cuts = times;
            this.cutMarker = marker;
            this.meanwhile = meanwhile;
        }

        /**
         * Once, when a connection awaits the reply to a request whose bytes contain {@code marker}:
         * after the server has applied the request, {@code meanwhile} runs on the waiting thread, and
         * then the reply is read as usual (a reply that comes late, after something else happened).
         */
        public synchronized void beforeReply(String marker, Runnable meanwhile) {
            this.lateMarker = marker;
            this.beforeLate = meanwhile;
        }

        /** What to run before reading the reply to {@code request}, or null. */
        synchronized @Nullable Runnable late(byte[] request) {
            if (lateMarker == null || !contains(request, lateMarker)) {
                return null;
            }
            lateMarker = null;
            return beforeLate;
        }

        /** Whether a cut was still armed (it is disarmed). */
        public synchronized boolean takeCut() {
            boolean armed = cuts > 0;
            cuts = 0;
            return armed;
        }

        /** What to run before cutting the reply to {@code request}, or null to let the reply through. */
        synchronized @Nullable Runnable cut(byte[] request) {
            if (cuts == 0 || (cutMarker != null && !contains(request, cutMarker))) {
                return null;
            }
            cuts--;
            return meanwhile;
        }

        /** Whether the request's bytes contain {@code marker} (statements are sent as UTF-8; markers are ASCII). */
        private static boolean contains(byte[] request, String marker) {
            return new String(request, StandardCharsets.ISO_8859_1).contains(marker);
        }

        void count() {
            roundTrips
                    .computeIfAbsent(Thread.currentThread(), t -> new AtomicLong())
                    .incrementAndGet();
        }
    }

    private final Wire wire;

    public WireSocketFactory(String name) {
        this.wire = wire(name);
    }

    /** The wire {@code name}: the switches and counters of connections made with that {@code socketFactoryArg}. */
    public static Wire wire(String name) {
        return WIRES.computeIfAbsent(name, n -> new Wire());
    }

    /** The round trips the calling thread made so far on connections of the wire {@code name} (for the benchmarks). */
    public static long roundTrips(String name) {
        return wire(name).roundTrips();
    }

    @Override
    public Socket createSocket() {
        return new WiredSocket(wire);
    }

    @Override
    public Socket createSocket(String host, int port) {
        throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
        throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
    }

    private static final class WiredSocket extends Socket {
        private final Wire wire;
        private final ByteArrayOutputStream request = new ByteArrayOutputStream(); // guarded by itself
        private volatile boolean wrote;

        WiredSocket(Wire wire) {
            this.wire = wire;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new FilterOutputStream(super.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    synchronized (request) {
                        request.write(b, off, len);
                    }
                    wrote = true;
                    out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    synchronized (request) {
                        request.write(b);
                    }
                    wrote = true;
                    out.write(b);
                }
            };
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new FilterInputStream(super.getInputStream()) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    replyAwaited();
                    return in.read(b, off, len);
                }

                @Override
                public int read() throws IOException {
                    replyAwaited();
                    return in.read();
                }
            };
        }

        private void replyAwaited() throws IOException {
            if (!wrote) {
                return;
            }
            wrote = false;
            byte[] sent;
            synchronized (request) {
                sent = request.toByteArray();
                request.reset();
            }
            Runnable meanwhile = wire.cut(sent);
            if (meanwhile != null) {
                pause(); // let the server apply the request: only its reply is lost
                meanwhile.run();
                close();
                throw new SocketException("the reply was cut off by the test");
            }
            Runnable late = wire.late(sent);
            if (late != null) {
                pause(); // let the server apply the request: only its reply comes late
                late.run();
            }
            wire.count();
        }

        private static void pause() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
