package io.lockkit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a store that counts round trips on the wire: on each connection, every
 * turn from "the server spoke last" (or nothing yet) to "the client sends" is one request the
 * client then waits on. Requests pipelined before any reply count once, as they cost one round
 * trip. Counts every connection through the proxy, so measure one client doing one thing at a time
 * and repeat (a background ping can add one). Thread-safe; {@link #close()} stops it.
 */
final class CountingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicLong turns = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    CountingProxy(String host, int port) {
        this.target = new InetSocketAddress(host, port);
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the counting proxy for " + host + ":" + port, e);
        }
        Thread acceptor = new Thread(this::accept, "counting-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to instead of the store's. */
    int port() {
        return server.getLocalPort();
    }

    /** Round trips so far, over all connections. */
    long roundTrips() {
        return turns.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket store = new Socket();
                store.connect(target, 5_000);
                client.setTcpNoDelay(true);
                store.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(store);
                // The last direction on this connection: true when the client spoke last.
                boolean[] clientSpokeLast = {false};
                pump(client, store, clientSpokeLast, true);
                pump(store, client, clientSpokeLast, false);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("counting proxy: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean[] clientSpokeLast, boolean fromClient) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[65536];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            synchronized (clientSpokeLast) {
                                if (fromClient && !clientSpokeLast[0]) {
                                    turns.incrementAndGet();
                                }
                                clientSpokeLast[0] = fromClient;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side closed: close both
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "counting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closeQuietly2(server);
        sockets.forEach(CountingProxy::closeQuietly);
    }

    private static void closeQuietly2(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
