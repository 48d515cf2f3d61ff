package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.tck.harness.TcpProxy;
import java.time.Duration;
import java.util.Set;

/**
 * Fault injection into the store under test, implemented by every backend's test ({@code mem}
 * included). Each method acts on the store or the wire, never by calling the client's own API.
 */
public interface StoreFaults {
    /**
     * Ends {@code client}'s server session on the server side, as the store does when the holder
     * stops talking (a paused or vanished holder). Session leases of that client end; timed leases
     * are unaffected.
     */
    void expireSession(Backend client);

    /**
     * Drops {@code client}'s connections to the store. Session leases end with the session (and the
     * holder MUST see {@code isValid()} false); timed leases survive, and the client reconnects on
     * its next call.
     */
    void killConnection(Backend client);

    /**
     * Makes {@code client} vanish without releasing anything, as a crashed process does; the
     * client is not used again. Its leases end by their deadlines at the latest (L4).
     */
    void crash(Backend client);

    /**
     * A new client of this backend configured for an address where no store answers, with a short
     * timeout; every call on it MUST fail with {@code BackendUnavailableException} (E2).
     */
    Backend unreachableClient();

    /**
     * A new client of this backend configured for {@code 127.0.0.1:port}, where a listener accepts
     * connections and never answers ({@link io.lockkit.tck.harness.SilentStore}: a stopped server, a
     * black-holing firewall), with the short timeouts of {@link #unreachableClient()} set through the
     * backend's own options; every call on it MUST fail with {@code BackendUnavailableException}
     * within a bounded time (E2). {@link Fault#SILENT_STORE}.
     */
    default Backend silentStoreClient(int port) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement silentStoreClient");
    }

    /** The faults a target may be unable to inject (an external server cannot be restarted by a test). */
    enum Fault {
        /** {@link #loseReplies}: the store applies a call and the client never hears the reply. */
        LOSE_REPLIES,
        /** {@link #delayReplies}: the store applies a call and the client hears the reply late. */
        DELAY_REPLIES,
        /** {@link #restartStore}: the store stops and starts again, keeping only what it persists. */
        RESTART_STORE,
        /**
         * {@link #crashStore}: the store is killed at once and starts again, keeping only what it had
         * made durable before the kill.
         */
        CRASH_STORE,
        /**
         * {@link #holdKey}: the key's record is held in the store, as by another writer's open
         * transaction, so that an acquire of the key waits inside the store.
         */
        HOLD_KEY,
        /**
         * {@link #silentStoreClient}: a client pointed at an address where connections are accepted
         * and never answered.
         */
        SILENT_STORE
    }

    /**
     * The optional faults of a target that puts a {@link TcpProxy} in front of each client when
     * {@code proxied} (lost and delayed replies) and can restart its store when {@code restartable}.
     */
    static Set<Fault> optionalFaults(boolean proxied, boolean restartable) {
        return optionalFaults(proxied, restartable, false);
    }

    /**
     * As {@link #optionalFaults(boolean, boolean)}, with {@link Fault#CRASH_STORE} when {@code
     * crashable}.
     */
    static Set<Fault> optionalFaults(boolean proxied, boolean restartable, boolean crashable) {
        Set<Fault> faults = java.util.EnumSet.noneOf(Fault.class);
        if (crashable) {
            faults.add(Fault.CRASH_STORE);
        }
        if (proxied) {
            faults.add(Fault.LOSE_REPLIES);
            faults.add(Fault.DELAY_REPLIES);
        }
        if (restartable) {
            faults.add(Fault.RESTART_STORE);
        }
        return faults;
    }

    /** Ends a fault that lasts until it is closed. */
    interface Heal extends AutoCloseable {
        @Override
        void close();
    }

    /** A key's record held in the store ({@link #holdKey}); closing it lets the waiting requests on. */
    interface HeldKey extends Heal {
        /**
         * Returns true once some request waits inside the store on the held record, false if none
         * does within {@code guard} (a guard, not a timing).
         */
        boolean awaitWaiter(Duration guard) throws InterruptedException;
    }

    /**
     * The optional faults this target can inject. A kit test that needs one that is missing is
     * skipped with the reason printed, never passed. Every backend in the lockkit repository
     * declares all of them when its tests run on their embedded server, except {@link Fault#HOLD_KEY},
     * which only the lock tables (and mem) can offer: no other store has a record an acquire waits on.
     */
    default Set<Fault> supported() {
        return Set.of();
    }

    /**
     * Until the returned handle is closed, every reply from the store to {@code client} is dropped
     * while its requests still reach the store and are applied: a lost reply. Closing the handle
     * drops the client's connections, so it reconnects cleanly on its next call. A TCP proxy in front
     * of each client ({@link TcpProxy#loseReplies}) is enough. The client MUST then report a write as
     * {@code OutcomeUnknownException} (or as the success it recognised as its own) and any other call
     * as {@code BackendUnavailableException}: never a conflict, never "held".
     */
    default Heal loseReplies(Backend client) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement loseReplies");
    }

    /**
     * Until the returned handle is closed, every reply from the store to {@code client} is held back
     * for {@code delay} after the store applied the call ({@link TcpProxy#delayReplies}).
     */
    default Heal delayReplies(Backend client, Duration delay) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement delayReplies");
    }

    /**
     * Holds the record of {@code key} (which has been acquired and released once, so it exists) as
     * a concurrent writer's open transaction does: a row lock in a lock table. Until the handle is
     * closed, an acquire of the key that reaches the store waits there, while the store serves every
     * other request. Where a backend's store has no such wait (a single-threaded or queue-based
     * store), the target does not offer this fault.
     */
    default HeldKey holdKey(String key) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement holdKey");
    }

    /**
     * Stops the store and starts it again on the same address, losing what it does not persist;
     * returns once it answers again. Clients reconnect on their next call; server sessions end. What
     * survives is what the backend's capabilities declare ({@code DATA_SURVIVES_STORE_RESTART},
     * {@code FENCING_SURVIVES_STORE_RESTART}); versions never repeat either way (V2).
     */
    default void restartStore() {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement restartStore");
    }

    /**
     * Kills the store's processes at once, as {@code kill -9} does: nothing gets the chance to
     * finish, so whatever the store had acknowledged but not yet made durable (written to a log
     * buffer, not flushed) is lost. Then starts it again on the same address and returns once it
     * answers. A store that makes every write durable before it replies, or keeps nothing at all,
     * may implement this as {@link #restartStore()}, and says so. What survives is what the
     * capabilities declare, exactly as for a restart: a token handed out before the kill must stay
     * below every token handed out after it (L2), whether or not it had been written anywhere else.
     */
    default void crashStore() {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement crashStore");
    }
}
