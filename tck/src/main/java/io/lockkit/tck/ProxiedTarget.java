package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.tck.harness.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shortest way to a green kit run on a new store reached over TCP: say how to open one client
 * of your backend at a host and port, and every client talks to the store through a {@link
 * TcpProxy} of its own, which gives the wire faults without anything store-specific — dropped
 * connections, a crashed client (cut off without a word), lost and delayed replies, and a client
 * whose store stops answering. Override {@link #expireSession} when your store has server
 * sessions that outlive a connection (ZooKeeper), and {@link #restartStore} and {@link #crashStore}
 * when the test can restart or kill it. Thread-safe.
 */
public abstract class ProxiedTarget implements TckTarget {
    private final String name;
    private final String host;
    private final int port;
    private final Map<Backend, TcpProxy> proxies = new ConcurrentHashMap<>();

    /**
     * @param name the name printed in every row, such as {@code mystore}
     * @param host where the store under test listens
     * @param port its port
     */
    protected ProxiedTarget(String name, String host, int port) {
        this.name = name;
        this.host = host;
        this.port = port;
    }

    /**
     * A new client of your backend for the store at {@code host:port} (a proxy's address), with a short
     * request timeout (1–2 s) so lost replies and a store cut off are noticed quickly.
     */
    protected abstract Backend open(String host, int port);

    /**
     * Ends {@code client}'s server session on the server side. By default its connections are
     * dropped, which is the same thing for a store whose sessions are its connections.
     */
    protected void expireSession(Backend client) {
        proxy(client).dropConnections();
    }

    /** Whether {@link #restartStore()} is implemented. */
    protected boolean restartable() {
        return false;
    }

    /** Stops the store and starts it again on the same address; see {@link StoreFaults#restartStore()}. */
    protected void restartStore() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot restart its store");
    }

    /** Whether {@link #crashStore()} is implemented. */
    protected boolean crashable() {
        return false;
    }

    /** Kills the store and starts it again on the same address; see {@link StoreFaults#crashStore()}. */
    protected void crashStore() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot crash its store");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Backend newClient() {
        TcpProxy proxy;
        try {
            proxy = new TcpProxy(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a proxy in front of " + host + ":" + port, e);
        }
        Backend client = open("127.0.0.1", proxy.port());
        proxies.put(client, proxy);
        return client;
    }

    @Override
    public final StoreFaults faults() {
        return new StoreFaults() {
            @Override
            public void expireSession(Backend client) {
                ProxiedTarget.this.expireSession(client);
            }

            @Override
            public void killConnection(Backend client) {
                proxy(client).dropConnections();
            }

            /** Cut off for good: nothing the client sends reaches the store again, not even a release. */
            @Override
            public void crash(Backend client) {
                proxy(client).partition(true);
            }

            /**
             * Opened through a proxy while the store answers (a backend may check its store when it
             * opens), then cut off: every call after that finds no store.
             */
            @Override
            public Backend unreachableClient() {
                Backend client = newClient();
                proxy(client).partition(true);
                return client;
            }

            /** Your {@link #open} pointed at the silent listener instead of a proxy. */
            @Override
            public Backend silentStoreClient(int port) {
                return open("127.0.0.1", port);
            }

            @Override
            public Set<Fault> supported() {
                Set<Fault> faults = StoreFaults.optionalFaults(true, restartable(), crashable());
                faults.add(Fault.SILENT_STORE);
                return faults;
            }

            @Override
            public Heal loseReplies(Backend client) {
                return proxy(client).losingReplies();
            }

            @Override
            public Heal delayReplies(Backend client, Duration delay) {
                return proxy(client).delayingReplies(delay);
            }

            @Override
            public void restartStore() {
                ProxiedTarget.this.restartStore();
            }

            @Override
            public void crashStore() {
                ProxiedTarget.this.crashStore();
            }
        };
    }

    /** Closes what is left of the clients and their proxies. */
    @Override
    public void close() {
        proxies.forEach((client, proxy) -> {
            client.close();
            proxy.close();
        });
        proxies.clear();
    }

    private TcpProxy proxy(Backend client) {
        TcpProxy proxy = proxies.get(client);
        if (proxy == null) {
            throw new IllegalArgumentException("not a client of this target: " + client);
        }
        return proxy;
    }
}
