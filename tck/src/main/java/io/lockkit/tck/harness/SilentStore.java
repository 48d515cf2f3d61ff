package io.lockkit.tck.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A listener on the loopback address that accepts every connection and never reads or writes a
 * byte: what a client meets at a stopped server process (the kernel still completes the TCP
 * handshake) or behind a firewall that swallows traffic. Unlike a port where nothing listens, the
 * client's connect succeeds and only its wait for the store's first answer can end the call, so a
 * client without a bound on that wait hangs here (E2). Thread-safe.
 */
public final class SilentStore implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private SilentStore(ServerSocket server) {
        this.server = server;
        Thread acceptor = new Thread(this::accept, "lockkit-tck-silent-store");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A new silent listener on {@code 127.0.0.1} and a free port. */
    public static SilentStore open() {
        try {
            return new SilentStore(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a silent listener", e);
        }
    }

    /** Its port on {@code 127.0.0.1}. */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        try {
            while (!server.isClosed()) {
                accepted.add(server.accept()); // kept open, never read: the client waits for an answer
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Stops listening and closes every accepted connection. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Socket socket : accepted) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
