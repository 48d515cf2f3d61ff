package io.lockkit.bench;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;

/**
 * A pgjdbc {@code socketFactory} that counts round trips on the connections it makes: a read that
 * follows a write (the client sent a request and now waits for its reply), per calling thread, so a
 * backend's background listener is not counted. Selected by the {@code socketFactoryArg} naming the
 * counter. A reduced copy of {@code backend-jdbc}'s test {@code WireSocketFactory} (package-private
 * in a test jar). Thread-safe.
 */
public final class CountingSocketFactory extends SocketFactory {
    private static final Map<String, Map<Thread, AtomicLong>> COUNTERS = new ConcurrentHashMap<>();

    private final Map<Thread, AtomicLong> counter;

    /** Called by pgjdbc with the {@code socketFactoryArg} of the URL. */
    public CountingSocketFactory(String name) {
        this.counter = counter(name);
    }

    private static Map<Thread, AtomicLong> counter(String name) {
        return COUNTERS.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    }

    /** The round trips the calling thread made so far on connections of the counter {@code name}. */
    static long roundTrips(String name) {
        return counter(name)
                .computeIfAbsent(Thread.currentThread(), t -> new AtomicLong())
                .get();
    }

    @Override
    public Socket createSocket() {
        return new CountingSocket(counter);
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

    private static final class CountingSocket extends Socket {
        private final Map<Thread, AtomicLong> counter;
        private volatile boolean wrote;

        CountingSocket(Map<Thread, AtomicLong> counter) {
            this.counter = counter;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new FilterOutputStream(super.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    wrote = true;
                    out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
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

        private void replyAwaited() {
            if (wrote) {
                wrote = false;
                counter.computeIfAbsent(Thread.currentThread(), t -> new AtomicLong())
                        .incrementAndGet();
            }
        }
    }
}
