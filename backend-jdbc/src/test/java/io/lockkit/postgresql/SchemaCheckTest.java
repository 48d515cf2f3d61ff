package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.LockKitException;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opening a client checks the token sequence and the tables it relies on (L2): a sequence that
 * hands out values out of order or again, or a missing table, is refused with a message naming the
 * fix, also when {@code createSchema()} ran ({@code IF NOT EXISTS} keeps a bad sequence as it is).
 */
class SchemaCheckTest {
    private String schema;
    private TableNames tables;
    private String sequence;

    @BeforeEach
    void schema() {
        schema = PostgresTestServer.newSchema();
        tables = Fixture.tables(schema);
        sequence = tables.tokenSequence();
    }

    @AfterEach
    void drop() {
        PostgresTestServer.dropSchema(schema);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CACHE 20", "INCREMENT BY -1", "CYCLE", "MINVALUE 0"})
    void l2_aBadTokenSequenceIsRefusedWhenOpeningAndByCreateSchema(String setting) {
        PostgresTestServer.execute("CREATE SEQUENCE " + sequence + " " + setting);
        PostgresTestServer.execute(PostgresBackend.schemaSql(tables)); // the tables exist, the sequence stays as it is
        String fix =
                switch (setting) {
                    case "CACHE 20" -> "ALTER SEQUENCE \"" + schema + "\".\"lockkit_token\" CACHE 1";
                    case "CYCLE" -> "ALTER SEQUENCE \"" + schema + "\".\"lockkit_token\" NO CYCLE";
                    case "MINVALUE 0" -> "ALTER SEQUENCE \"" + schema + "\".\"lockkit_token\" MINVALUE 1";
                    default -> "ALTER SEQUENCE \"" + schema + "\".\"lockkit_token\" INCREMENT BY 1";
                };
        for (Variant variant : Variant.values()) {
            assertThatThrownBy(() -> builder(variant).build())
                    .as("build, %s", variant)
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining(setting.replace("INCREMENT BY -1", "INCREMENT BY -1:"))
                    .hasMessageContaining(fix);
        }
        assertThatThrownBy(() -> LockKit.open(PostgresTestServer.jdbcUrl(), options("true")))
                .as("createSchema=true keeps the sequence, then refuses it")
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining(fix);
        assertThatThrownBy(() -> LockKit.open(PostgresTestServer.jdbcUrl(), options("false")))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining(fix);
    }

    @Test
    void l2_aBadSequenceCreatedAfterTheClientWasBuiltIsRefusedByCreateSchema() {
        try (PostgresBackend client = builder(Variant.TABLE).build()) { // nothing exists yet: left for later
            PostgresTestServer.execute("CREATE SEQUENCE " + sequence + " CACHE 20");
            assertThatThrownBy(client::createSchema)
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining("CACHE 20");
            assertThatThrownBy(() -> client.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining("CACHE 20");
            PostgresTestServer.execute("ALTER SEQUENCE " + sequence + " CACHE 1");
            client.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aMissingTableIsRefusedWhenOpeningWithoutCreateSchema(Variant variant) {
        PostgresTestServer.execute(PostgresBackend.schemaSql(tables));
        String missing =
                switch (variant) {
                    case TABLE -> "lockkit_lock";
                    case ROWLOCK -> "lockkit_row_lock";
                    case ADVISORY -> "lockkit_versioned";
                };
        PostgresTestServer.execute("DROP TABLE " + schema + "." + missing);
        assertThatThrownBy(() -> LockKit.open(
                        PostgresTestServer.jdbcUrl(),
                        Map.of(
                                "variant",
                                variant.name().toLowerCase(java.util.Locale.ROOT),
                                "createSchema",
                                "false",
                                "lockTable",
                                tables.lockTable(),
                                "rowLockTable",
                                tables.rowLockTable(),
                                "versionedTable",
                                tables.versionedTable(),
                                "tokenSequence",
                                sequence,
                                "namespace",
                                schema)))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("\"" + schema + "\".\"" + missing + "\" does not exist")
                .hasMessageContaining("createSchema");
        // built in code, the client refuses every call until createSchema() made it
        try (PostgresBackend client = builder(variant).build()) {
            assertThatThrownBy(() -> client.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining(missing + "\" does not exist");
            assertThatThrownBy(() -> client.versionedUpdate().read("k"))
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining(missing + "\" does not exist");
            client.createSchema();
            client.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
    }

    /** INCIDENTS.md row 35: an unlogged object forgets what a crash caught unflushed (and is emptied). */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void l2_unloggedObjectsAreRefusedWhenOpening(Variant variant) {
        PostgresTestServer.execute(PostgresBackend.schemaSql(tables));
        String lockTable = variant == Variant.ROWLOCK ? tables.rowLockTable() : tables.lockTable();
        List<String> objects = new ArrayList<>(List.of("TABLE " + tables.versionedTable()));
        if (serverVersion() >= 150000) { // unlogged sequences are new in PostgreSQL 15
            objects.add("SEQUENCE " + sequence);
        }
        if (variant != Variant.ADVISORY) {
            objects.add("TABLE " + lockTable);
        }
        for (String object : objects) {
            PostgresTestServer.execute("ALTER " + object + " SET UNLOGGED");
            String name = object.substring(object.indexOf(' ') + 1);
            String quoted = "\"" + schema + "\".\"" + name.substring(name.indexOf('.') + 1) + "\"";
            assertThatThrownBy(() -> builder(variant).build())
                    .as("%s, %s unlogged", variant, object)
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining(quoted + " is UNLOGGED")
                    .hasMessageContaining("SET LOGGED");
            PostgresTestServer.execute("ALTER " + object + " SET LOGGED");
        }
        builder(variant).build().close();
    }

    @Test
    void anObjectOfTheWrongKindIsRefused() {
        PostgresTestServer.execute("CREATE TABLE " + sequence + " (x int)");
        PostgresTestServer.execute(PostgresBackend.schemaSql(tables).replaceFirst("CREATE SEQUENCE[^;]*;", ""));
        assertThatThrownBy(() -> builder(Variant.TABLE).build())
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("is not a sequence");
    }

    @Test
    void aWellMadeSchemaPassesAndTheProviderChecksIt() {
        try (Backend backend = LockKit.open(PostgresTestServer.jdbcUrl(), options("true"))) {
            backend.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
        try (Backend backend = LockKit.open(PostgresTestServer.jdbcUrl(), options("false"))) {
            assertThat(backend.versionedUpdate().create("k", new byte[] {1})).isPresent();
        }
    }

    private static int serverVersion() {
        try (var c = PostgresTestServer.dataSource("lockkit-test-schema-check").getConnection();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private PostgresBackend.Builder builder(Variant variant) {
        return PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-schema-check"))
                .variant(variant)
                .tables(tables)
                .namespace(schema);
    }

    private Map<String, String> options(String createSchema) {
        return Map.of(
                "createSchema",
                createSchema,
                "lockTable",
                tables.lockTable(),
                "rowLockTable",
                tables.rowLockTable(),
                "versionedTable",
                tables.versionedTable(),
                "tokenSequence",
                sequence,
                "namespace",
                schema);
    }
}
