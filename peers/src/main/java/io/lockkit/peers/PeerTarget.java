package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The frame of every peer target: its clients, each with the {@link Wire} that faults act on, and
 * closing. Subclasses open clients and say what a fault does on their store's wire. Thread-safe.
 */
abstract class PeerTarget implements TckTarget, StoreFaults {
    /** What the faults do to one client, on the store or the wire, never through the client's API. */
    interface Wire {
        /** Drops the client's connections; it reconnects on its next call. */
        void kill();

        /** Makes the client vanish without releasing anything. */
        void crash();

        /** Ends the client's server session; for a peer without sessions, its connections. */
        default void expireSession() {
            kill();
        }
    }

    private final String name;
    private final Map<Backend, Wire> clients = new ConcurrentHashMap<>();

    PeerTarget(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Records {@code client}'s wire and returns the client. */
    final Backend register(Backend client, Wire wire) {
        clients.put(client, wire);
        return client;
    }

    private Wire wire(Backend client) {
        Wire wire = clients.get(client);
        if (wire == null) {
            throw new IllegalArgumentException("not a client of " + name + ": " + client);
        }
        return wire;
    }

    @Override
    public final StoreFaults faults() {
        return this;
    }

    @Override
    public final void expireSession(Backend client) {
        wire(client).expireSession();
    }

    @Override
    public final void killConnection(Backend client) {
        wire(client).kill();
    }

    @Override
    public final void crash(Backend client) {
        wire(client).crash();
    }

    /** Closes every client still open, then what the target set up on the store. */
    @Override
    public final void close() {
        clients.keySet().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.getLogger(PeerTarget.class.getName())
                        .log(System.Logger.Level.WARNING, "closing a client of " + name + " failed", e);
            }
        });
        clients.clear();
        closeStore();
    }

    /** Removes what the target created on the store (a schema); nothing by default. */
    void closeStore() {}
}
