package io.lockkit.testkit.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.jspecify.annotations.Nullable;

/**
 * The ZooKeeper the tests run against: the ensemble named by {@value #CONNECT_ENV}, or else an
 * embedded Curator {@link TestingServer} (a real ZooKeeper server in this JVM) with a short tick so
 * session expiry takes seconds (sessions of 0.4–4 s), and the four-letter words enabled so tests
 * can look at the server's watch table ({@code wchp}). {@link #shared()} is one per JVM, started on
 * first use; {@link #start()} a new one the caller closes.
 */
public final class ZooKeeperTestServer implements AutoCloseable {
    public static final String CONNECT_ENV = "LOCKKIT_ZOOKEEPER_CONNECT";
    /** Server tick: sessions may last 2–20 ticks. */
    public static final int TICK_MILLIS = 200;

    private static @Nullable ZooKeeperTestServer shared;

    private final @Nullable TestingServer embedded;
    private final String connectString;

    private ZooKeeperTestServer(@Nullable TestingServer embedded, String connectString) {
        this.embedded = embedded;
        this.connectString = connectString;
    }

    /** This JVM's server, started on first use and stopped when the JVM exits. */
    public static synchronized ZooKeeperTestServer shared() {
        if (shared == null) {
            ZooKeeperTestServer server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            shared = server;
        }
        return shared;
    }

    /** A server of the caller's own (or the external ensemble): close it. */
    public static ZooKeeperTestServer start() {
        String external = System.getenv(CONNECT_ENV);
        if (external != null && !external.isBlank()) {
            return new ZooKeeperTestServer(null, external.strip());
        }
        try {
            TestingServer server = new TestingServer(spec(InstanceSpec.getRandomPort()), true);
            return new ZooKeeperTestServer(server, server.getConnectString());
        } catch (Exception e) {
            throw new IllegalStateException("could not start an embedded ZooKeeper", e);
        }
    }

    /** A server spec with the short tick, unlimited connections per address, and the four-letter words. */
    public static InstanceSpec spec(int port) {
        return new InstanceSpec(
                null,
                port,
                -1,
                -1,
                true,
                -1,
                TICK_MILLIS,
                0,
                Map.of("4lw.commands.whitelist", "*", "admin.enableServer", "false"));
    }

    /** Whether the server runs in this JVM (and can be stopped and restarted). */
    public boolean isEmbedded() {
        return embedded != null;
    }

    public String connectString() {
        return connectString;
    }

    /** The {@code host:port} of each server of the ensemble. */
    public List<String> hosts() {
        String hosts =
                connectString.contains("/") ? connectString.substring(0, connectString.indexOf('/')) : connectString;
        return Arrays.asList(hosts.split(","));
    }

    /** Sends a four-letter word ({@code wchp}, {@code cons}, …) to the first server. */
    public String fourLetterWord(String word) {
        String[] hostPort = hosts().get(0).split(":");
        try {
            return FourLetterWordMain.send4LetterWord(hostPort[0], Integer.parseInt(hostPort[1]), word);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void stop() throws IOException {
        embedded().stop();
    }

    public void restart() throws Exception {
        embedded().restart();
    }

    private TestingServer embedded() {
        if (embedded == null) {
            throw new IllegalStateException("only the embedded server can be stopped and restarted");
        }
        return embedded;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
