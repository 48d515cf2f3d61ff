package io.lockkit.mariadb;

import io.lockkit.jdbc.internal.SqlErrors;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * What a MariaDB error means to lockkit (L6, E2), read from the server's error number first (its
 * SQLStates are coarse: 1205 and 1213 share 40001/HY000 between versions), then the SQLState class.
 * Stateless.
 *
 * <ul>
 *   <li>{@link Kind#LOST_RACE}: 1213 deadlock and 1205 lock-wait timeout (the statement, in
 *       autocommit its transaction, was rolled back: sent again by {@link
 *       io.lockkit.jdbc.internal.SessionPool#call} up to {@link
 *       io.lockkit.jdbc.internal.SessionPool#SERIALIZATION_RETRIES} times, then "held"), 1062 a
 *       duplicate key (a concurrent insert won) — a value, never an exception (L6);
 *   <li>{@link Kind#CONNECTION}: SQLState class 08, a connection exception of the driver, the
 *       server shutting down (1053) or killing the connection (1927), too many connections (1040),
 *       failed authentication (1045, class 28), or an I/O error: the store could not be asked, or its
 *       answer was lost (E2, V4);
 *   <li>{@link Kind#OTHER}: anything else, such as a missing table — a bug or a setup error.
 * </ul>
 */
final class MariaDbFailures {
    private MariaDbFailures() {}

    enum Kind {
        LOST_RACE,
        CONNECTION,
        OTHER
    }

    static final int DUPLICATE_KEY = 1062;
    static final int LOCK_WAIT_TIMEOUT = 1205;
    static final int DEADLOCK = 1213;

    /** The kinds the shared plumbing reads. */
    static final SqlErrors.Kinds KINDS = new SqlErrors.Kinds() {
        @Override
        public boolean isConnection(Throwable error) {
            return classify(error) == Kind.CONNECTION;
        }

        @Override
        public boolean rolledBackForARetry(Throwable error) {
            int code = SqlErrors.vendorCode(error);
            return code == DEADLOCK || code == LOCK_WAIT_TIMEOUT;
        }
    };

    static Kind classify(Throwable error) {
        switch (SqlErrors.vendorCode(error)) {
            case DUPLICATE_KEY, LOCK_WAIT_TIMEOUT, DEADLOCK:
                return Kind.LOST_RACE;
            case 1040, 1045, 1053, 1927:
                return Kind.CONNECTION;
            default:
                break;
        }
        String state = SqlErrors.sqlState(error);
        if (state != null && (state.startsWith("08") || state.startsWith("28"))) {
            return Kind.CONNECTION;
        }
        if (SqlErrors.find(error, SQLNonTransientConnectionException.class) != null
                || SqlErrors.find(error, SQLTransientConnectionException.class) != null
                || SqlErrors.hasIoCause(error)) {
            return Kind.CONNECTION;
        }
        return Kind.OTHER;
    }

    /**
     * Whether the server ended the session before it answered: it was killed (1927), shut down (1053),
     * disconnected for inactivity ({@code wait_timeout}, 4031), or closed the socket (end of stream,
     * reset). Its user-level locks ended with it. A reply lost on the way (a timeout) is not this.
     */
    static boolean serverEndedSession(Throwable error) {
        switch (SqlErrors.vendorCode(error)) {
            case 1053, 1927, 4031:
                return true;
            default:
                break;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException) {
                return true;
            }
            if (t instanceof java.net.SocketException
                    && String.valueOf(t.getMessage()).contains("reset")) {
                return true;
            }
        }
        return false;
    }

    static RuntimeException translate(String what, RuntimeException error) {
        return SqlErrors.translate(KINDS, what, error);
    }
}
