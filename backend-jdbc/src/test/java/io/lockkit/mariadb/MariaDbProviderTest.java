package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.LockKitException;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code LockKit.open} with MariaDB URIs of both prefixes, against the embedded server (or
 * LOCKKIT_MARIADB_URL's): the provider is found and its clients work; unknown options and driver
 * parameters, disagreeing options and bad values are refused by name before anything is opened;
 * {@code createSchema=false} on an empty database is refused with the how-to; passwords with {@code
 * / # ? @ : %}, raw or percent-encoded, open, and a wrong one never shows in a message; an
 * unreachable server is reported by the first call, not by {@code open} (E2).
 */
class MariaDbProviderTest {
    /** A password holding every character that could be taken for URI structure. */
    private static final String PASSWORD = "p/a#s?s@w:d%";

    private static final Pattern SERVER = Pattern.compile("jdbc:mariadb://([^/]+)/[^?]*\\??(.*)");

    private String database;

    @BeforeEach
    void database() {
        database = MariaDbTestServer.newDatabase();
    }

    @AfterEach
    void drop() {
        MariaDbTestServer.dropDatabase(database);
    }

    /** The server's JDBC URL for this test's database with {@code query} added. */
    private String jdbc(String query) {
        String url = MariaDbTestServer.databaseUrl(database);
        return url + (url.contains("?") ? "&" : "?") + query;
    }

    /** The server as a {@code mariadb://} URI, with {@code userInfo} (or the server's user) and {@code query}. */
    private String mariadb(String userInfo, String query) {
        Matcher m = SERVER.matcher(MariaDbTestServer.jdbcUrl());
        assertThat(m.matches()).isTrue();
        String rest = m.group(2).replaceAll("(^|&)(user|password)=[^&]*", "").replaceFirst("^&", "");
        if (userInfo == null) {
            String user = m.group(2).replaceFirst("^(?:.*&)?user=([^&]*).*$", "$1");
            String password = m.group(2).matches("(?:.*&)?password=.*")
                    ? ":" + m.group(2).replaceFirst("^(?:.*&)?password=([^&]*).*$", "$1")
                    : "";
            userInfo = user + password;
        }
        return "mariadb://" + userInfo + "@" + m.group(1) + "/" + database + "?" + (rest.isEmpty() ? "" : rest + "&")
                + query;
    }

    @Test
    void bothPrefixesFindTheProviderAndItsClientsWork() throws Exception {
        long previous = 0;
        for (String uri : List.of(jdbc("createSchema=true"), mariadb(null, "variant=table&maxConnections=3"))) {
            try (Backend b = LockKit.open(uri)) {
                assertThat(b.name()).isEqualTo("mariadb/table");
                Lease lease = b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
                assertThat(lease.token()).isGreaterThan(previous);
                previous = lease.token();
                assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(5))).isEmpty();
                lease.release();
                b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
            }
        }
        awaitNoSessions();
    }

    @Test
    void e1_anUnknownOptionAndAnUnknownDriverParameterAreRefusedByNameWithNothingOpened() throws Exception {
        for (String uri : List.of(
                jdbc("createSchema=true&sslMode=disable&colour=blue"),
                mariadb(":" + PASSWORD, "createSchema=true&sslMode=disable&colour=blue"))) {
            assertThatThrownBy(() -> LockKit.open(uri))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("colour (unknown option; known: [")
                    .hasMessageContaining("MariaDB Connector/J's connection options")
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain("sslMode=")
                            .doesNotContain(PASSWORD)
                            .doesNotContain("a#s"));
        }
        assertThatThrownBy(() -> LockKit.open(jdbc("createSchema=true"), Map.of("noSuchOption", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noSuchOption (unknown option; known: [");
        assertThatThrownBy(() -> LockKit.open(jdbc("createSchema=true"), Map.of("socketTimeout", "1000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("socketTimeout in the options map is a MariaDB Connector/J connection option");
        assertThat(tables()).as("createSchema=true was not acted on").isZero();
        assertThat(sessions()).as("no connection was opened").isZero();
    }

    @Test
    void anOptionInTheUriAndTheMapMustAgree() {
        Map<String, String> map = Map.of("connectTimeout", "3s", "pollInterval", "PT0.05S", "createSchema", "TRUE");
        // the same values: a bare connectTimeout is milliseconds, as Connector/J reads it
        try (Backend b = LockKit.open(jdbc("connectTimeout=3000&pollInterval=50ms&createSchema=true"), map)) {
            assertThat(b.name()).isEqualTo("mariadb/table");
        }
        assertThatThrownBy(() -> LockKit.open(jdbc("connectTimeout=3&pollInterval=1s&lockTable=a"), map))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout is '3' in the URI but '3s' in the options map")
                .hasMessageContaining("pollInterval is '1s' in the URI but 'PT0.05S' in the options map");
    }

    @Test
    void theAdvisoryVariantIsOpenedByName() {
        try (Backend b = LockKit.open(jdbc("variant=advisory&createSchema=true"))) {
            assertThat(b.name()).isEqualTo("mariadb/advisory");
            assertThat(b.capabilities()).contains(io.lockkit.Capability.SESSION_LEASE);
            assertThat(b.jobLock().leaseLimits().shortest()).isEqualTo(java.time.Duration.ofSeconds(1));
        }
        assertThatThrownBy(() -> LockKit.open(jdbc("variant=advisory&maxConnections=1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections=1");
        // No connection is kept for a listener on MariaDB: with two, a holder can still write its result.
        try (Backend b = LockKit.open(jdbc("variant=advisory&maxConnections=2"))) {
            io.lockkit.Lease lease = b.jobLock()
                    .tryAcquire("two-connections", java.time.Duration.ofSeconds(30))
                    .orElseThrow();
            assertThat(b.versionedUpdate().create("two-connections-result", new byte[] {1}, lease.token()))
                    .isPresent();
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    void theRowLockVariantIsOpenedByName() {
        try (Backend b = LockKit.open(jdbc("variant=rowlock&createSchema=true"))) {
            assertThat(b.name()).isEqualTo("mariadb/rowlock");
            assertThat(b.capabilities())
                    .contains(io.lockkit.Capability.SESSION_LEASE, io.lockkit.Capability.RELEASE_NOTIFICATION);
            assertThat(b.jobLock().leaseLimits().shortest()).isEqualTo(java.time.Duration.ofSeconds(1));
        }
        // No connection is kept for a listener on MariaDB: with two, a holder can still write its result.
        try (Backend b = LockKit.open(jdbc("variant=rowlock&maxConnections=2"))) {
            io.lockkit.Lease lease = b.jobLock()
                    .tryAcquire("rowlock-two-connections", java.time.Duration.ofSeconds(30))
                    .orElseThrow();
            assertThat(b.versionedUpdate().create("rowlock-two-connections-result", new byte[] {1}, lease.token()))
                    .isPresent();
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    void e1_badValuesAreNamedAllAtOnce() throws Exception {
        assertThatThrownBy(
                        () -> LockKit.open(
                                mariadb(
                                        ":" + PASSWORD,
                                        "variant=rows&maxConnections=1"
                                                + "&connectTimeout=soon&pollInterval=0s&driftMargin=-1s&lockTable=no-such&socketTimeout=abc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant=rows (expected one of [table, advisory, rowlock])")
                .hasMessageContaining("maxConnections=1 (expected an integer from 2 to 10000)")
                .hasMessageContaining("connectTimeout=soon (expected a positive duration")
                .hasMessageContaining("pollInterval=0s (expected a positive duration")
                .hasMessageContaining("driftMargin=-1s (expected a non-negative duration")
                .hasMessageContaining("lockTable='no-such'")
                .hasMessageContaining("socketTimeout")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> LockKit.open(jdbc("variant=table&variant=table")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant is given twice in the URI's query");
        assertThat(sessions()).isZero();
    }

    @Test
    void withoutCreateSchemaAnEmptyDatabaseIsRefusedSayingHowToCreateIt() throws Exception {
        assertThatThrownBy(() -> LockKit.open(jdbc("maxConnections=3")))
                .isInstanceOf(LockKitException.class)
                .isNotInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("the token sequence `lockkit_token` is missing")
                .hasMessageContaining("the lock table `lockkit_lock` is missing")
                .hasMessageContaining("the versioned table `lockkit_versioned` is missing")
                .hasMessageContaining("createSchema=true")
                .hasMessageContaining("MariaDbBackend.schemaSql()");
        awaitNoSessions();
        MariaDbTestServer.execute("CREATE SEQUENCE " + database + ".lockkit_token CACHE 10");
        assertThatThrownBy(() -> LockKit.open(jdbc("createSchema=false")))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("has CACHE 10")
                .hasMessageContaining("ALTER SEQUENCE `lockkit_token` NOCACHE");
        assertThat(tables()).as("nothing was created").isEqualTo(1);
        MariaDbTestServer.execute("DROP SEQUENCE " + database + ".lockkit_token");
        MariaDbTestServer.execute("CREATE SEQUENCE " + database + ".lockkit_token MINVALUE 0 NOCACHE");
        assertThatThrownBy(() -> LockKit.open(jdbc("createSchema=false")))
                .as("a sequence that would hand out 0 first")
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("has MINVALUE 0")
                .hasMessageContaining("ALTER SEQUENCE `lockkit_token` MINVALUE 1");
        // no database in the URI, unqualified names: said so, not called missing
        assertThatThrownBy(() -> LockKit.open(mariadb(null, "").replace("/" + database + "?", "?")))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining(
                        "the lock table `lockkit_lock` names no database, and the connection has none" + " selected");
    }

    @Test
    void aPasswordWithUriCharactersOpensRawAndPercentEncoded() {
        String user = "lk_" + UUID.randomUUID().toString().substring(0, 8);
        MariaDbTestServer.createUser(user, PASSWORD, database);
        try {
            String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
            assertThat(encoded).contains("%2F").contains("%25");
            long previous = 0;
            for (String uri : List.of(
                    mariadb(user + ":" + PASSWORD, "createSchema=true"),
                    mariadb(user + ":" + encoded, ""),
                    jdbc("createSchema=false").replaceAll("([?&])user=[^&]*", "$1user=" + user) + "&password="
                            + PASSWORD)) {
                try (Backend b = LockKit.open(uri)) {
                    Lease lease =
                            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
                    assertThat(lease.token()).isGreaterThan(previous);
                    previous = lease.token();
                    lease.release();
                }
            }
        } finally {
            MariaDbTestServer.dropUser(user);
        }
    }

    @Test
    void aWrongPasswordNeverShowsInAMessage() {
        String user = "lk_" + UUID.randomUUID().toString().substring(0, 8);
        MariaDbTestServer.createUser(user, "right-one", database);
        try {
            // an opened client: the first call reports the refused login (E2)
            try (Backend b = LockKit.open(mariadb(user + ":" + PASSWORD, "connectionWait=2s"))) {
                Throwable e = catchThrowable(() -> b.jobLock().tryAcquire("k", Duration.ofSeconds(5)));
                assertThat(e).isInstanceOf(BackendUnavailableException.class);
                assertNoPassword(e);
            }
            // createSchema=true needs the server at once: open itself fails
            Throwable e = catchThrowable(() -> LockKit.open(mariadb(user + ":" + PASSWORD, "createSchema=true")));
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertNoPassword(e);
            e = catchThrowable(() -> LockKit.open(
                    jdbc("createSchema=true&password=" + PASSWORD).replaceAll("([?&])user=[^&]*", "$1user=" + user)));
            assertThat(e).isInstanceOf(BackendUnavailableException.class);
            assertNoPassword(e);
        } finally {
            MariaDbTestServer.dropUser(user);
        }
    }

    @Test
    void e2_anUnreachableServerIsReportedByTheFirstCallNotByOpen() {
        String uri = MariaDbTestServer.unreachableUrl() + "&connectionWait=1s";
        long start = System.nanoTime();
        try (Backend b = LockKit.open(uri)) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(() -> b.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isInstanceOf(BackendUnavailableException.class);
            assertThatThrownBy(() -> b.versionedUpdate().read("k")).isInstanceOf(BackendUnavailableException.class);
        }
    }

    private static void assertNoPassword(Throwable e) {
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage()))
                    .as("the message of %s", t.getClass().getName())
                    .doesNotContain(PASSWORD)
                    .doesNotContain(encoded)
                    .doesNotContain("a#s?s");
            for (Throwable s : t.getSuppressed()) {
                assertNoPassword(s);
            }
        }
    }

    /** The sessions whose current database is this test's. */
    private int sessions() throws SQLException {
        return count("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()");
    }

    private void awaitNoSessions() throws Exception {
        long until = System.nanoTime() + 5_000_000_000L;
        while (sessions() > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(sessions())
                .as("the refused client's connections were closed")
                .isZero();
    }

    private int tables() throws SQLException {
        return count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?");
    }

    private int count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(MariaDbTestServer.jdbcUrl());
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
