package io.lockkit.tck.harness;

import io.lockkit.Backend;
import io.lockkit.tck.TckTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * K clients of one {@link TckTarget}, over which a race spreads its workers round-robin, so that
 * contention crosses connections as it does between processes. Closing the pool closes every
 * client. Thread-safe once opened.
 */
public final class ClientPool implements AutoCloseable {
    private final List<Backend> clients;

    private ClientPool(List<Backend> clients) {
        this.clients = List.copyOf(clients);
    }

    /** Opens {@code size} clients from {@code target}; if one fails to open, closes those already open. */
    public static ClientPool open(TckTarget target, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be ≥ 1, was " + size);
        }
        List<Backend> opened = new ArrayList<>(size);
        try {
            for (int i = 0; i < size; i++) {
                opened.add(target.newClient());
            }
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
        return new ClientPool(opened);
    }

    /** The client for worker {@code worker}: {@code worker mod size}. */
    public Backend forWorker(int worker) {
        return clients.get(Math.floorMod(worker, clients.size()));
    }

    /** Client number {@code index}. */
    public Backend get(int index) {
        return clients.get(index);
    }

    /** How many clients the pool holds. */
    public int size() {
        return clients.size();
    }

    /** Closes every client, also when one of them fails to close; rethrows the first failure. */
    @Override
    public void close() {
        RuntimeException first = closeAll(clients, null);
        if (first != null) {
            throw first;
        }
    }

    private static @org.jspecify.annotations.Nullable RuntimeException closeAll(
            List<Backend> clients, @org.jspecify.annotations.Nullable RuntimeException first) {
        for (Backend client : clients) {
            try {
                client.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }
}
