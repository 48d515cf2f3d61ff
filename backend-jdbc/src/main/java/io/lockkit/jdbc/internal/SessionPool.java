package io.lockkit.jdbc.internal;

import io.lockkit.BackendUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * A small bounded pool of autocommit connections opened through the user's {@link Jdbi}; every
 * connection gets a network timeout, so no call waits longer than that for the server (E2). Session
 * leases keep their connection until released, which is why the pool is lockkit's own and bounded.
 *
 * <p>Budgets: the client never holds more than {@code maxConnections} of the DataSource's
 * connections at once. For a database with a release listener (PostgreSQL's LISTEN) one of them is
 * kept for it ({@link #openUnpooled}); this pool lends the others, and lends all but one of those as
 * lease sessions at most (held leases and acquire attempts of the session variants), so at least one
 * is always left for statements: a holder can write its result however many leases the client
 * holds, and statements never hold a connection for longer than one call. Thread-safe.
 */
public final class SessionPool implements AutoCloseable {
    /**
     * How many times a statement the server rolled back with 40001 or 40P01 is sent in all before the
     * error stands (and counts as a lost race, L6).
     */
    public static final int SERIALIZATION_RETRIES = 10;

    /** How many network timeouts opening a connection may take in all ({@link #openTimeoutMillis()}). */
    private static final int OPEN_ROUND_TRIPS = 3;

    /** One operation on a connection. */
    @FunctionalInterface
    public interface Op<T> {
        T apply(Handle handle);
    }

    /**
     * What a database does to a connection it has just opened (autocommit, with its network timeout
     * set): reads the session's server id, pins what it needs; its errors are mapped by the pool.
     */
    @FunctionalInterface
    public interface Setup {
        Session setUp(Handle handle) throws SQLException;
    }

    private final Jdbi jdbi;
    private final String database;
    private final Setup setup;
    private final SqlErrors.Kinds kinds;
    private final int max;
    private final boolean listener;
    private final int maxLeases;
    private final Semaphore permits;
    private final Semaphore leasePermits;
    private final Deque<Session> idle = new ConcurrentLinkedDeque<>();
    private final long waitNanos;
    private final int networkTimeoutMillis;
    private volatile boolean closed;
    /**
     * Where connections are opened ({@link #openHandle}): daemon threads, one per open in flight.
     * Opens in flight that a caller still waits for hold permits, so there are at most as many as the
     * client's connections; opens given up on are counted in {@link #abandoned} and bounded by the same
     * number, so that a server that never answers holds a bounded number of threads.
     */
    private final ExecutorService openers;
    /** Opens given up on whose thread still waits for the server ({@link #openHandle}). */
    private final AtomicInteger abandoned = new AtomicInteger();

    private final int maxAbandoned;
    /** What {@link #close(Op)} puts back on a connection before closing it, for those given back after it. */
    private volatile @Nullable Op<?> closingReset;

    /**
     * @param database the database's name in messages ("PostgreSQL")
     * @param maxConnections every connection of the client, the listener's included (at least 2)
     * @param listener whether one connection is kept for a release listener ({@link #openUnpooled})
     */
    public SessionPool(
            String database,
            Jdbi jdbi,
            Setup setup,
            SqlErrors.Kinds kinds,
            int maxConnections,
            boolean listener,
            Duration wait,
            Duration networkTimeout) {
        this.database = database;
        this.jdbi = jdbi;
        this.setup = setup;
        this.kinds = kinds;
        this.listener = listener;
        this.max = maxConnections - (listener ? 1 : 0);
        this.maxLeases = Math.max(0, max - 1); // one is always left for statements
        this.permits = new Semaphore(max, true);
        this.leasePermits = new Semaphore(maxLeases, true);
        this.waitNanos = wait.toNanos();
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, networkTimeout.toMillis()));
        this.maxAbandoned = maxConnections;
        this.openers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lockkit-" + database.toLowerCase(java.util.Locale.ROOT) + "-connect");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code op} on a pooled connection. When the connection turns out to be broken and had been
     * idle in the pool (the server may have ended it meanwhile), runs it once more on a new one, opened
     * on the broken one's permits so that it never waits; so {@code op} MUST be safe to repeat. Other
     * errors pass through unchanged.
     *
     * @throws BackendUnavailableException when no working connection could be had (E2)
     */
    public <T> T call(String what, Op<T> op) {
        try {
            return callRetrying(what, () -> borrow(what), op);
        } catch (InterruptedException e) {
            throw new AssertionError("borrow waits deaf to interrupts", e);
        }
    }

    /**
     * {@link #call}, for an acquire that may still wait until {@code deadline} ({@link
     * System#nanoTime()}): its waits for a connection react to interrupts (L8) and end at the
     * deadline, and then it is null, with nothing sent (L7: the acquire's wait ran out). No
     * deadline (a try): {@link #call}.
     */
    public <T> @Nullable T callBy(String what, @Nullable Long deadline, Op<T> op) throws InterruptedException {
        return callRetrying(what, () -> borrowBy(what, deadline), op);
    }

    /** A connection for one statement; null when the caller's wait ran out first. */
    @FunctionalInterface
    private interface Lender {
        @Nullable
        Session lend() throws InterruptedException;
    }

    private <T> @Nullable T callRetrying(String what, Lender lender, Op<T> op) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Session session = lender.lend();
            if (session == null) {
                return null;
            }
            try {
                return callOnce(what, session, op);
            } catch (RuntimeException e) {
                if (attempt == SERIALIZATION_RETRIES || !kinds.rolledBackForARetry(e)) {
                    throw e;
                }
                // 40001/40P01: the server rolled the statement back and asks for it again. Under
                // SERIALIZABLE it may even be no real conflict (predicate locks on index pages), so
                // only a fresh attempt tells a lost race from a spurious abort (V1: exactly one of
                // the racing compare-and-sets must win).
            }
        }
    }

    /**
     * Runs {@code op} once on a pooled connection, never sent again on a fresh one: for a statement
     * whose meaning depends on the server being the one that served an earlier statement (a flush
     * that makes a token drawn on another session durable: after a restart, a resend would "flush"
     * on a server that never had the token, L2). A connection failure is {@link
     * BackendUnavailableException} (E2).
     */
    public <T> T callWithoutResend(String what, Op<T> op) {
        return callWithoutResend(what, borrow(what), op);
    }

    /** {@link #callWithoutResend(String, Op)} on {@code session}, a connection lent for one statement. */
    public <T> T callWithoutResend(String what, Session session, Op<T> op) {
        try {
            return runOnce(session, op);
        } catch (RuntimeException e) {
            throw kinds.isConnection(e) ? SqlErrors.unavailable(what, e) : e;
        }
    }

    private <T> T callOnce(String what, Session session, Op<T> op) {
        try {
            T result = op.apply(session.handle());
            giveBack(session);
            return result;
        } catch (RuntimeException e) {
            if (!kinds.isConnection(e)) {
                giveBack(session);
                throw e;
            }
            close(session, false);
            if (!session.reused()) {
                releasePermits(session.lease());
                throw SqlErrors.unavailable(what, e);
            }
        }
        // It had been idle: the server may have ended it meanwhile. Its replacement takes over its
        // permits instead of queueing for new ones behind other callers (a wait that would be deaf to
        // interrupts and outlast an acquire's maxWait, L7 and L8; INCIDENTS.md row 41).
        Session fresh = openPermitted(what, session.lease());
        try {
            return runOnce(fresh, op);
        } catch (RuntimeException e) {
            throw kinds.isConnection(e) ? SqlErrors.unavailable(what, e) : e;
        }
    }

    /** Runs {@code op}, then gives the connection back, or discards it when it broke. */
    public <T> T runOnce(Session session, Op<T> op) {
        try {
            T result = op.apply(session.handle());
            giveBack(session);
            return result;
        } catch (RuntimeException e) {
            if (kinds.isConnection(e)) {
                discard(session);
            } else {
                giveBack(session);
            }
            throw e;
        }
    }

    /** An idle connection for one statement, or a new one while fewer than the maximum are open. */
    public Session borrow(String what) {
        return borrow(what, false);
    }

    /**
     * An idle connection, or a new one while fewer than the maximum are open; {@code lease}: for a
     * session lease (or its attempt), counted against the lease sessions' budget too.
     */
    public Session borrow(String what, boolean lease) {
        long until = System.nanoTime() + waitNanos;
        acquirePermits(what, lease, until);
        return lend(what, lease);
    }

    /**
     * A connection for one statement of an acquire that may still wait until {@code deadline}
     * ({@link System#nanoTime()}): waits for one reacting to interrupts (L8), until the deadline
     * (then null: the acquire's wait ran out) or for {@code connectionWait}, whichever comes first
     * (then {@link BackendUnavailableException}, as {@link #borrow(String)}). No deadline (a try):
     * {@link #borrow(String)}.
     */
    public @Nullable Session borrowBy(String what, @Nullable Long deadline) throws InterruptedException {
        if (deadline == null) {
            return borrow(what);
        }
        checkOpen();
        return permitsBy(what, false, deadline) ? lend(what, false) : null;
    }

    /**
     * Waits for a connection's permit reacting to interrupts: false when {@code deadline} came
     * first, {@link BackendUnavailableException} when {@code connectionWait} did.
     */
    private boolean connectionPermit(String what, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        boolean deadlineFirst = left < waitNanos;
        if (permits.tryAcquire(Math.max(0, deadlineFirst ? left : waitNanos), TimeUnit.NANOSECONDS)) {
            return true;
        }
        if (deadlineFirst) {
            return false;
        }
        throw connectionsInUse(what);
    }

    /** An idle connection, or a new one, once its permits are taken. */
    private Session lend(String what, boolean lease) {
        Session session = takeIdle(lease);
        if (session == null) {
            return openPermitted(what, lease);
        }
        if (lease || autocommit(session)) {
            return session.lent(lease);
        }
        close(session, false); // it could not be asked: broken, or ended by the server while idle
        return openPermitted(what, lease);
    }

    /**
     * A lease session for an acquire that may wait (L7, L8): waits for one of the client's lease
     * sessions, then for a connection, both within {@code waitNanos} and reacting to interrupts (an
     * acquire's wait, unlike a release, must). Null when none came free in that time: the acquire's
     * wait ran out. A connection wait that reaches {@code connectionWait} first is {@link
     * BackendUnavailableException}, as in {@link #borrow(String, boolean)}.
     */
    public @Nullable Session borrowLease(String what, long waitNanos) throws InterruptedException {
        checkOpen();
        return permitsBy(what, true, System.nanoTime() + Math.max(0, waitNanos)) ? lend(what, true) : null;
    }

    /**
     * {@link #borrowLease} until {@code deadline} ({@link System#nanoTime()}); no deadline (a try):
     * {@link #borrow(String, boolean)}, deaf to interrupts and up to {@code connectionWait}.
     */
    public @Nullable Session borrowLeaseBy(String what, @Nullable Long deadline) throws InterruptedException {
        return deadline == null ? borrow(what, true) : borrowLease(what, deadline - System.nanoTime());
    }

    /**
     * Takes a lease session's permit (when {@code lease}) and a connection's, waiting reacting to
     * interrupts: false when {@code deadline} came first, {@link BackendUnavailableException} when
     * {@code connectionWait} did while waiting for the connection's.
     */
    private boolean permitsBy(String what, boolean lease, long deadline) throws InterruptedException {
        if (lease && !leasePermits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            if (connectionPermit(what, deadline)) {
                return true;
            }
        } catch (InterruptedException | RuntimeException e) {
            if (lease) {
                leasePermits.release();
            }
            throw e;
        }
        if (lease) {
            leasePermits.release();
        }
        return false;
    }

    /**
     * An idle connection, preferring one in the mode its use wants (a statement: autocommit; a
     * session lease: the mode a lease left it in, which MariaDB's rowlock variant keeps without
     * autocommit), so that neither pays a round trip to switch while both kinds are idle. The mode is
     * the driver's own record: asking costs nothing.
     */
    private @Nullable Session takeIdle(boolean lease) {
        for (Session s : idle) {
            if (inAutocommit(s) != lease && idle.removeFirstOccurrence(s)) {
                return s;
            }
        }
        return idle.pollFirst();
    }

    private static boolean inAutocommit(Session session) {
        try {
            return session.handle().getConnection().getAutoCommit();
        } catch (SQLException | RuntimeException e) {
            return true; // broken: whoever takes it finds out
        }
    }

    /**
     * Statements run in autocommit: a connection that a session lease left without it (MariaDB's
     * rowlock variant keeps it so between its leases) is switched back before it is lent for one. The
     * drivers track the mode, so this costs a round trip only when it changes. False when that failed.
     */
    private static boolean autocommit(Session session) {
        try {
            Connection connection = session.handle().getConnection();
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** A new connection for one statement, counted against the maximum (never an idle one). */
    public Session open(String what) {
        return open(what, false);
    }

    /** A new connection (never an idle one), for a lease session when {@code lease}. */
    public Session open(String what, boolean lease) {
        acquirePermits(what, lease, System.nanoTime() + waitNanos);
        return openPermitted(what, lease);
    }

    /**
     * {@link #open(String, boolean)} for an acquire that may still wait until {@code deadline}: its
     * waits for permits react to interrupts and end at the deadline (then null), as in {@link
     * #borrowLeaseBy}. No deadline (a try): {@link #open(String, boolean)}.
     */
    public @Nullable Session openBy(String what, boolean lease, @Nullable Long deadline) throws InterruptedException {
        if (deadline == null) {
            return open(what, lease);
        }
        checkOpen();
        return permitsBy(what, lease, deadline) ? openPermitted(what, lease) : null;
    }

    /** The network timeout of every connection, in milliseconds. */
    public int networkTimeoutMillis() {
        return networkTimeoutMillis;
    }

    /** The listener's connection, outside the pool (its share of maxConnections is kept for it), closed by its user. */
    public Session openUnpooled(String what) {
        return connect(what);
    }

    public void giveBack(Session session) {
        if (closed) {
            resetAndClose(session, closingReset); // lent when the pool closed: put back like the idle ones
        } else {
            idle.addFirst(session.asReused());
        }
        releasePermits(session.lease());
    }

    public void discard(Session session) {
        close(session, false);
        releasePermits(session.lease());
    }

    private void releasePermits(boolean lease) {
        permits.release();
        if (lease) {
            leasePermits.release();
        }
    }

    @Override
    public void close() {
        close((Op<?>) null);
    }

    /**
     * Closes the idle connections, each after {@code reset} when given: what the database puts back
     * on a connection that a pooled DataSource will hand out again alive (best effort, bounded by the
     * network timeout; a failure only closes it).
     */
    public void close(@Nullable Op<?> reset) {
        closingReset = reset;
        closed = true;
        openers.shutdown(); // idle threads end; one still waiting for a server's answer ends when its socket does
        for (Session s; (s = idle.pollFirst()) != null; ) {
            resetAndClose(s, reset);
        }
    }

    private static void resetAndClose(Session session, @Nullable Op<?> reset) {
        if (reset != null) {
            try {
                reset.apply(session.handle());
            } catch (RuntimeException ignored) {
                // closed below all the same
            }
        }
        close(session);
    }

    public static void close(Session session) {
        close(session, true);
    }

    /**
     * Closes the connection, after putting its isolation level back when {@code restore} and the
     * pool changed it (a broken or discarded connection is not asked again: a pool that tracks the
     * level resets it, and an unpooled connection's session ends with it).
     */
    private static void close(Session session, boolean restore) {
        try {
            if (restore
                    && session.isolation() != Session.AS_IT_WAS
                    && !session.handle().isInTransaction()) {
                session.handle().getConnection().setTransactionIsolation(session.isolation());
            }
            session.handle().close();
        } catch (SQLException | RuntimeException e) {
            // Broken, or closed inside a transaction (Jdbi complains): make sure the socket goes.
            try {
                session.handle().getConnection().close();
            } catch (SQLException | RuntimeException ignored) {
                // nothing left to clean up
            }
        }
    }

    /** Takes a lease session's permit first (when {@code lease}), then a connection's, both by {@code until}. */
    private void acquirePermits(String what, boolean lease, long until) {
        checkOpen();
        if (lease && !acquire(leasePermits, until)) {
            throw new BackendUnavailableException(what + ": all " + maxLeases + " lease sessions of this client"
                    + " are in use ("
                    + (listener ? "maxConnections - 2: one connection listens, one" : "maxConnections - 1: one")
                    + " is kept for statements);"
                    + " none came free within " + Duration.ofNanos(waitNanos));
        }
        if (!acquire(permits, until)) {
            if (lease) {
                leasePermits.release();
            }
            throw connectionsInUse(what);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the " + database + " backend is closed");
        }
    }

    private BackendUnavailableException connectionsInUse(String what) {
        return new BackendUnavailableException(what + ": all " + max + " connections of this client are in"
                + " use; none came free within " + Duration.ofNanos(waitNanos));
    }

    /**
     * Waits for a permit without reacting to interrupts, restoring the flag afterwards: an
     * interrupted thread must still be able to release its lease in a finally block (L8).
     */
    private static boolean acquire(Semaphore semaphore, long until) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return semaphore.tryAcquire(until - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Session openPermitted(String what, boolean lease) {
        try {
            return connect(what).lent(lease);
        } catch (RuntimeException e) {
            releasePermits(lease);
            throw e;
        }
    }

    private Session connect(String what) {
        Handle handle = openHandle(what);
        try {
            Connection connection = handle.getConnection();
            connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return setup.setUp(handle);
        } catch (SQLException | RuntimeException e) {
            close(new Session(handle, 0, 0, false, false, Session.AS_IT_WAS));
            String why = what + ": cannot set up the connection";
            throw kinds.isConnection(e) ? SqlErrors.unavailable(why, e) : SqlErrors.unexpected(why, e);
        }
    }

    /**
     * How long opening a connection may take in all: {@value #OPEN_ROUND_TRIPS} times the network
     * timeout, since a driver's handshake is a few round trips (greeting, login, its session queries),
     * each of which a slow but live server may take up to the network timeout to answer.
     */
    private long openTimeoutMillis() {
        return (long) networkTimeoutMillis * OPEN_ROUND_TRIPS;
    }

    /**
     * Opens a connection, waiting for the server's answer at most {@link #openTimeoutMillis()} (E2): a
     * DataSource whose driver bounds only the TCP connect (MySQL Connector/J without {@code
     * socketTimeout}, pgjdbc without {@code loginTimeout}) would wait for ever at a server that takes
     * the connection and never answers (a stopped process, whose kernel still accepts; a firewall
     * that swallows traffic). The open runs on a thread of {@link #openers}; one given up on is closed
     * if it ever comes back. Deaf to interrupts, as every wait of a statement's connection is (the
     * flag stays set).
     */
    private Handle openHandle(String what) {
        if (abandoned.get() >= maxAbandoned) {
            throw new BackendUnavailableException(what + ": cannot connect: " + maxAbandoned
                    + " earlier attempts to connect to " + database + " still wait for its answer");
        }
        CompletableFuture<Handle> opening;
        try {
            opening = CompletableFuture.supplyAsync(jdbi::open, openers);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the " + database + " backend is closed", e);
        }
        boolean interrupted = false;
        try {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(openTimeoutMillis());
            while (true) {
                try {
                    return opening.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw SqlErrors.unavailable(what + ": cannot connect", cause);
                } catch (TimeoutException e) {
                    abandoned.incrementAndGet();
                    opening.whenComplete((late, failure) -> {
                        abandoned.decrementAndGet();
                        if (late != null) {
                            late.close(); // the server answered after all
                        }
                    });
                    throw new BackendUnavailableException(
                            what + ": cannot connect: " + database + " did not answer within "
                                    + Duration.ofMillis(openTimeoutMillis()),
                            e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
