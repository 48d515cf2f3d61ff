package io.lockkit.jdbc.internal;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import java.io.IOException;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * What every database's error mapping shares: finding the {@link SQLException} in a chain, the
 * message lockkit shows (the SQLState and the driver's message, which names no credential), and
 * the exceptions of E2 and of setup errors. Which states mean what is each database's own ({@link
 * Kinds}). Stateless.
 */
public final class SqlErrors {
    private SqlErrors() {}

    /** How one database's errors read, for the shared plumbing ({@link SessionPool}). */
    public interface Kinds {
        /** The store could not be asked, or its answer was lost (E2, V4). */
        boolean isConnection(Throwable error);

        /** The server rolled the statement back and nothing of it was applied: it may be sent again as it was. */
        boolean rolledBackForARetry(Throwable error);
    }

    /** E2: the store could not be reached or answered nothing usable. */
    public static BackendUnavailableException unavailable(String what, Throwable error) {
        return new BackendUnavailableException(what + ": " + describe(error), error);
    }

    /** Anything that is not a race and not the connection: reported as it is. */
    public static LockKitException unexpected(String what, Throwable error) {
        return new LockKitException(what + " failed: " + describe(error), error);
    }

    /**
     * What to throw for {@code error}: lockkit's own exceptions as they are, connection failures as
     * {@link BackendUnavailableException}, other database errors as {@link LockKitException}, and
     * anything else (a closed client, a bug) unchanged.
     */
    public static RuntimeException translate(Kinds kinds, String what, RuntimeException error) {
        if (error instanceof LockKitException) {
            return error;
        }
        if (kinds.isConnection(error)) {
            return unavailable(what, error);
        }
        return find(error, SQLException.class) != null ? unexpected(what, error) : error;
    }

    public static String describe(Throwable error) {
        SQLException sql = find(error, SQLException.class);
        Throwable shown = sql != null ? sql : error;
        String state = sql == null ? null : sql.getSQLState();
        return (state == null ? "" : "[" + state + "] ") + shown.getMessage();
    }

    /** The first SQLState in the chain, if any. */
    public static @Nullable String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** The first vendor error code in the chain that is not 0, else 0. */
    public static int vendorCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() != 0) {
                return sql.getErrorCode();
            }
        }
        return 0;
    }

    /** Whether an I/O error is in the chain (a broken or timed-out socket). */
    public static boolean hasIoCause(Throwable error) {
        return find(error, IOException.class) != null;
    }

    public static <T extends Throwable> @Nullable T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
