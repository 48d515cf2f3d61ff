package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKit;
import io.lockkit.LockKitException;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A new user's first open, on a fresh database of the test server with nothing of lockkit's in it:
 * without {@code createSchema} it fails at once, saying what is missing and how to create it, and
 * leaves no connection behind; with {@code createSchema=true} in the URI it works; a user without
 * the {@code CREATE} privilege is told so, and can open a database its owner set up.
 */
class EmptyDatabaseTest {
    private String database;
    private String url;
    private String app;

    @BeforeEach
    void database() {
        database = PostgresTestServer.newDatabase();
        app = "lockkit-test-empty-" + UUID.randomUUID().toString().substring(0, 8);
        url = PostgresTestServer.databaseUrl(database)
                + (PostgresTestServer.jdbcUrl().contains("?") ? "&" : "?") + "ApplicationName=" + app;
    }

    @AfterEach
    void drop() {
        PostgresTestServer.dropDatabase(database);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void openingWithoutCreateSchemaSaysWhatIsMissingAndHowToCreateIt(Variant variant) throws Exception {
        String name = variant.name().toLowerCase(Locale.ROOT);
        String table = variant == Variant.ROWLOCK ? "lockkit_row_lock" : "lockkit_lock";
        assertThatThrownBy(() -> LockKit.open(url + "&variant=" + name))
                .isInstanceOf(LockKitException.class)
                .isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("the token sequence \"lockkit_token\" does not exist")
                .hasMessageContaining("the versioned table \"lockkit_versioned\" does not exist")
                .hasMessageContaining("createSchema=true")
                .hasMessageContaining("in the URI's query")
                .hasMessageContaining("or in the options map")
                .hasMessageContaining("the resource io/lockkit/postgresql/schema.sql in lockkit-backend-jdbc's jar")
                .hasMessageContaining("backend-jdbc/src/main/resources/io/lockkit/postgresql/schema.sql")
                .satisfies(e -> {
                    if (variant != Variant.ADVISORY) { // the advisory variant has no table of its own
                        assertThat(e.getMessage()).contains("\"" + table + "\" does not exist");
                    }
                });
        assertThat(relations()).as("nothing created").isZero();
        awaitNoSession();
        // the fix the message names, in the URI
        try (Backend backend = LockKit.open(url + "&variant=" + name + "&createSchema=true")) {
            backend.jobLock()
                    .tryAcquire("job-42", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
        assertThat(relations()).isEqualTo(4);
    }

    @Test
    void theResourceTheMessageNamesIsInTheJarAndTheRepository() {
        assertThat(getClass().getClassLoader().getResource("io/lockkit/postgresql/schema.sql"))
                .isNotNull();
        assertThat(java.nio.file.Path.of("src/main/resources/io/lockkit/postgresql/schema.sql"))
                .as("backend-jdbc/src/main/resources/…, from the module's directory")
                .exists();
    }

    /** The check on a pool of one connection: it neither hangs nor keeps the connection. */
    @Test
    void theCheckOnAPoolOfOneConnectionNeitherHangsNorLeaks() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(3_000);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            long start = System.nanoTime();
            try (PostgresBackend client = PostgresBackend.builder(pool)
                    .maxConnections(2)
                    .connectionWait(Duration.ofSeconds(2))
                    .build()) {
                assertThatThrownBy(client::checkSchema)
                        .isInstanceOf(LockKitException.class)
                        .hasMessageContaining("\"lockkit_lock\" does not exist");
                assertThatThrownBy(() -> client.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                        .isInstanceOf(LockKitException.class)
                        .hasMessageContaining("createSchema=true");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(pool.getHikariPoolMXBean().getActiveConnections())
                    .as("given back")
                    .isZero();
            try (Connection c = pool.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
        // and through the provider, with the fewest connections it allows
        assertThatThrownBy(() -> LockKit.open(url + "&maxConnections=2&connectionWait=1s"))
                .isInstanceOf(LockKitException.class);
        awaitNoSession();
    }

    /** A user without the CREATE privilege: createSchema=true says so; on a database set up by its owner it works. */
    @Test
    void createSchemaWithoutTheCreatePrivilege() throws Exception {
        String role = "lockkit_test_role_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        PostgresTestServer.execute("CREATE ROLE " + role + " LOGIN");
        try {
            sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            String asRole = url.replaceAll("([?&])user=[^&]*", "$1user=" + role)
                    .replaceAll("([?&])password=[^&]*", "$1password=x");
            assertThat(asRole).contains("user=" + role);
            assertThatThrownBy(() -> LockKit.open(asRole + "&createSchema=true"))
                    .isInstanceOf(LockKitException.class)
                    .isNotInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("createSchema failed: [42501]")
                    .hasMessageContaining("The user needs the CREATE privilege on the schema")
                    .hasMessageContaining("io/lockkit/postgresql/schema.sql");
            assertThat(relations()).isZero();
            // the owner runs the DDL (as a migration would) and grants the rest
            sql(PostgresBackend.schemaSql(TableNames.DEFAULT));
            sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
            sql("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role);
            try (Backend backend = LockKit.open(asRole + "&createSchema=true")) {
                backend.jobLock()
                        .tryAcquire("job-42", Duration.ofSeconds(5))
                        .orElseThrow()
                        .release();
            }
        } finally {
            PostgresTestServer.dropDatabase(database);
            PostgresTestServer.execute("DROP ROLE IF EXISTS " + role);
        }
    }

    /** How many of lockkit's tables and sequences the database has. */
    private int relations() throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresTestServer.databaseUrl(database));
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_class WHERE relname LIKE 'lockkit%' AND relkind IN ('r', 'S')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresTestServer.databaseUrl(database));
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Every session of this test's clients ends (the server notices a closed socket a little later). */
    private void awaitNoSession() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int left;
        do {
            try (Connection c = DriverManager.getConnection(PostgresTestServer.jdbcUrl());
                    PreparedStatement ps =
                            c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
                ps.setString(1, app);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    left = rs.getInt(1);
                }
            }
            if (left > 0) {
                Thread.sleep(20);
            }
        } while (left > 0 && System.nanoTime() < until);
        assertThat(left).as("sessions of %s left open", app).isZero();
    }
}
