package io.lockkit.postgresql;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import java.io.IOException;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * What a database error means to lockkit (L6, E2). Stateless.
 *
 * <ul>
 *   <li>{@link Kind#LOST_RACE}: 40001 serialization failure, 40P01 deadlock (once the statement
 *       has been sent {@link SessionPool#SERIALIZATION_RETRIES} times in all: by {@link
 *       SessionPool#call}, a versioned write, a session lease's attempt), 23505 a concurrent insert of the same key — the caller lost a race, which is a value,
 *       never an exception (L6);
 *   <li>{@link Kind#NOT_ACQUIRED}: 55P03, a {@code NOWAIT} lock held by another session;
 *   <li>{@link Kind#CONNECTION}: class 08, the server ending the session (57P01–57P03, 57P05, 25P03),
 *       too many connections (53300), failed authentication (class 28), or an I/O error: the store
 *       could not be asked, or its answer was lost (E2, V4);
 *   <li>{@link Kind#OTHER}: anything else, such as a missing table — a bug or a setup error.
 * </ul>
 */
final class Failures {
    private Failures() {}

    enum Kind {
        LOST_RACE,
        NOT_ACQUIRED,
        CONNECTION,
        OTHER
    }

    static Kind classify(Throwable error) {
        String state = sqlState(error);
        if (state == null) {
            return hasCause(error, IOException.class) ? Kind.CONNECTION : Kind.OTHER;
        }
        return switch (state) {
            case "40001", "40P01", "23505" -> Kind.LOST_RACE;
            case "55P03" -> Kind.NOT_ACQUIRED;
            case "57P01", "57P02", "57P03", "57P05", "25P03", "53300" -> Kind.CONNECTION;
            default -> state.startsWith("08") || state.startsWith("28") ? Kind.CONNECTION : Kind.OTHER;
        };
    }

    /**
     * 40001 (serialization failure) and 40P01 (deadlock): the server rolled the statement's
     * transaction back and nothing of it was applied, so it may be sent again as it was.
     */
    static boolean rolledBackForARetry(Throwable error) {
        String state = sqlState(error);
        return "40001".equals(state) || "40P01".equals(state);
    }

    static boolean isConnection(Throwable error) {
        return classify(error) == Kind.CONNECTION;
    }

    /**
     * Whether the server said it ended the session (it was terminated, shut down, or timed out
     * idle): then everything the session held has gone with it, unlike a connection that merely
     * broke, where the server may not have noticed yet.
     */
    static boolean serverEndedSession(Throwable error) {
        String state = sqlState(error);
        return state != null
                && switch (state) {
                    case "57P01", "57P02", "57P03", "57P05", "25P03" -> true;
                    default -> false;
                };
    }

    /** E2: the store could not be reached or answered nothing usable. */
    static BackendUnavailableException unavailable(String what, Throwable error) {
        return new BackendUnavailableException(what + ": " + describe(error), error);
    }

    /** Anything that is not a race and not the connection: reported as it is. */
    static LockKitException unexpected(String what, Throwable error) {
        return new LockKitException(what + " failed: " + describe(error), error);
    }

    /**
     * What to throw for {@code error}: lockkit's own exceptions as they are, connection failures as
     * {@link BackendUnavailableException}, other database errors as {@link LockKitException}, and
     * anything else (a closed client, a bug) unchanged.
     */
    static RuntimeException translate(String what, RuntimeException error) {
        if (error instanceof LockKitException) {
            return error;
        }
        if (isConnection(error)) {
            return unavailable(what, error);
        }
        return find(error, SQLException.class) != null ? unexpected(what, error) : error;
    }

    static String describe(Throwable error) {
        SQLException sql = find(error, SQLException.class);
        Throwable shown = sql != null ? sql : error;
        String state = sql == null ? null : sql.getSQLState();
        return (state == null ? "" : "[" + state + "] ") + shown.getMessage();
    }

    private static @Nullable String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        return find(error, type) != null;
    }

    private static <T extends Throwable> @Nullable T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
