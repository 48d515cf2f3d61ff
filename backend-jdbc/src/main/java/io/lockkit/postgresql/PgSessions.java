package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Session;
import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;

/**
 * How the PostgreSQL backend sets up a connection its pool has just opened: reads the session's
 * backend pid and start ({@link Sql#SESSION_START}, which also turns {@code synchronous_commit} back
 * on) and pins READ COMMITTED. Stateless.
 */
final class PgSessions {
    private PgSessions() {}

    static Session setUp(Handle handle) throws SQLException {
        Connection connection = handle.getConnection();
        int pid = connection.unwrap(PGConnection.class).getBackendPID();
        record Start(long started, String isolation) {}
        Start start = handle.createQuery(Sql.SESSION_START)
                .map((rs, ctx) -> new Start(
                        rs.getInt("pid") == pid ? rs.getLong("started") : Session.UNKNOWN, rs.getString("isolation")))
                .one();
        int isolation = Session.AS_IT_WAS;
        if (!"read committed".equals(start.isolation())) {
            // Through JDBC, so that a pool of the application that lent the connection (and
            // tracks its isolation) resets it too.
            isolation = connection.getTransactionIsolation();
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        return new Session(handle, pid, start.started(), false, false, isolation);
    }
}
