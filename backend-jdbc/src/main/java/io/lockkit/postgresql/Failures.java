package io.lockkit.postgresql;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.SqlErrors;
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

    /** The kinds the shared plumbing reads. */
    static final SqlErrors.Kinds KINDS = new SqlErrors.Kinds() {
        @Override
        public boolean isConnection(Throwable error) {
            return Failures.isConnection(error);
        }

        @Override
        public boolean rolledBackForARetry(Throwable error) {
            return Failures.rolledBackForARetry(error);
        }
    };

    enum Kind {
        LOST_RACE,
        NOT_ACQUIRED,
        CONNECTION,
        OTHER
    }

    static Kind classify(Throwable error) {
        String state = sqlState(error);
        if (state == null) {
            return SqlErrors.hasIoCause(error) ? Kind.CONNECTION : Kind.OTHER;
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
        return SqlErrors.unavailable(what, error);
    }

    /** Anything that is not a race and not the connection: reported as it is. */
    static LockKitException unexpected(String what, Throwable error) {
        return SqlErrors.unexpected(what, error);
    }

    /** What to throw for {@code error} ({@link SqlErrors#translate}). */
    static RuntimeException translate(String what, RuntimeException error) {
        return SqlErrors.translate(KINDS, what, error);
    }

    static String describe(Throwable error) {
        return SqlErrors.describe(error);
    }

    private static @Nullable String sqlState(Throwable error) {
        return SqlErrors.sqlState(error);
    }
}
