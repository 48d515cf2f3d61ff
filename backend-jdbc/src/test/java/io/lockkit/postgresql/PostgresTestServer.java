package io.lockkit.postgresql;

/**
 * The PostgreSQL server of this JVM's tests, for other modules' test code (the race comparison,
 * the peers): the one named by {@code LOCKKIT_POSTGRES_URL}, else Testcontainers when {@code
 * LOCKKIT_TESTCONTAINERS=true}, else an embedded server started on first use.
 */
public final class PostgresTestServer {
    private PostgresTestServer() {}

    /** The JDBC URL of the server, starting it on first use. */
    public static String jdbcUrl() {
        return TestDatabase.url();
    }

    /** Runs one SQL statement on the server, outside any lockkit client. */
    public static void execute(String sql) {
        TestDatabase.execute(sql);
    }
}
