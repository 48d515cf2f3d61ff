package io.lockkit.peers.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What {@link Failures} makes of real store errors: connection loss is E2, anything else is passed on. */
class FailuresTest {
    @Test
    void aConnectionTheServerTerminatedIsUnavailable() throws Exception {
        String app = "peers-failures-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(PostgresTestServer.jdbcUrl(app))) {
            c.createStatement().execute("SELECT 1");
            PostgresTestServer.terminate(app);
            Throwable thrown = catchThrowable(() -> c.createStatement().execute("SELECT 1"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            System.out.println(
                    "SQLState after pg_terminate_backend: " + ((SQLException) thrown).getSQLState() + " " + thrown);
            assertThat(Failures.translate("test", thrown)).isInstanceOf(BackendUnavailableException.class);
        }
    }

    @Test
    void aDuplicateKeyIsPassedOn() throws Exception {
        String table = PostgresTestServer.newSchema() + ".t";
        try (Connection c = DriverManager.getConnection(PostgresTestServer.jdbcUrl("peers-failures"))) {
            c.createStatement().execute("CREATE TABLE " + table + " (k TEXT PRIMARY KEY)");
            c.createStatement().execute("INSERT INTO " + table + " VALUES ('a')");
            Throwable thrown =
                    catchThrowable(() -> c.createStatement().execute("INSERT INTO " + table + " VALUES ('a')"));
            RuntimeException translated = Failures.translate("test", thrown);
            assertThat(translated).isExactlyInstanceOf(LockKitException.class).hasCause(thrown);
        } finally {
            PostgresTestServer.dropSchema(table.substring(0, table.indexOf('.')));
        }
    }
}
