package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.postgresql.internal.PostgresBackendProvider;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Options in the URI's query, of both spellings, are read as in the options map; pgjdbc's own
 * properties reach the driver; anything else is refused by name before anything is opened or
 * written; an option in both places must agree; no message shows a credential.
 */
class ProviderOptionsTest {
    /** A password with '/', '#' and '@' (the test server's authentication ignores it). */
    private static final String SECRET = "s3/cr#t@pw";

    private static final Pattern SERVER = Pattern.compile("jdbc:postgresql://([^/]+)/([^?]+)\\??(.*)");

    private String schema;
    private String app;

    @BeforeEach
    void schema() {
        schema = PostgresTestServer.newSchema();
        app = "lockkit-test-options-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void drop() {
        PostgresTestServer.dropSchema(schema);
    }

    /** The server's JDBC URL with {@code query} added to its query. */
    private static String jdbc(String query) {
        String url = PostgresTestServer.jdbcUrl();
        return url + (url.contains("?") ? "&" : "?") + query;
    }

    /** The server as a libpq URI, the password {@link #SECRET} in its user info, and {@code query}. */
    private static String libpq(String query) {
        Matcher m = SERVER.matcher(PostgresTestServer.jdbcUrl());
        assertThat(m.matches()).isTrue();
        String user = m.group(3).replaceFirst("^(?:.*&)?user=([^&]*).*$", "$1");
        String rest = m.group(3).replaceAll("(^|&)(user|password)=[^&]*", "").replaceFirst("^&", "");
        return "postgresql://" + user + ":" + SECRET + "@" + m.group(1) + "/" + m.group(2) + "?"
                + (rest.isEmpty() ? "" : rest + "&") + query;
    }

    /** The tables of this test's schema as URI parameters. */
    private String names() {
        return "lockTable=" + schema + ".lockkit_lock&rowLockTable=" + schema + ".lockkit_row_lock&versionedTable="
                + schema + ".lockkit_versioned&tokenSequence=" + schema + ".lockkit_token&namespace=" + schema;
    }

    @Test
    void optionsInTheQueryAreReadInBothSpellings() {
        try (Backend b = LockKit.open(jdbc("variant=advisory&createSchema=true&" + names()))) {
            assertThat(b.name()).isEqualTo("postgresql/advisory");
            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
        }
        try (Backend b = LockKit.open(libpq("variant=rowlock&createSchema=true&" + names()))) {
            assertThat(b.name()).isEqualTo("postgresql/rowlock");
            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
        }
        assertThat(exists(schema + ".lockkit_row_lock"))
                .as("created in the schema the URI names")
                .isTrue();
    }

    @Test
    void percentEncodedValuesAreDecoded() {
        // %2E is '.': the tables land in the test's schema
        String encoded = names().replace(schema + ".", schema + "%2E");
        assertThat(encoded).contains("%2E");
        try (Backend b = LockKit.open(jdbc("createSchema=true&" + encoded))) {
            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
        }
        assertThat(exists(schema + ".lockkit_lock")).isTrue();
        // %3A is ':', which a namespace may not hold: refused, showing the decoded value
        assertThatThrownBy(() -> LockKit.open(jdbc("namespace=a%3Ab")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace='a:b'");
    }

    @Test
    void theDriversOwnPropertiesReachTheDriver() throws SQLException {
        try (Backend b =
                LockKit.open(libpq("ApplicationName=" + app + "&sslmode=disable&createSchema=true&" + names()))) {
            b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow().release();
            assertThat(sessions(app))
                    .as("sessions named by the URI's ApplicationName")
                    .isPositive();
        }
    }

    @Test
    void e1_anUnknownParameterIsRefusedByNameAndNothingIsOpenedOrWritten() throws SQLException {
        for (String uri : List.of(
                jdbc("ApplicationName=" + app + "&sslmode=disable&createSchema=true&colour=blue&" + names()),
                libpq("ApplicationName=" + app + "&createSchema=true&sslmode=disable&colour=blue&" + names()))) {
            assertThatThrownBy(() -> LockKit.open(uri))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("colour (unknown option; known: [")
                    .hasMessageContaining("pgjdbc's connection properties")
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain("sslmode=")
                            .doesNotContain("ApplicationName=")
                            .doesNotContain(SECRET)
                            .doesNotContain("s3/cr"));
        }
        assertThat(exists(schema + ".lockkit_lock"))
                .as("createSchema=true was not acted on")
                .isFalse();
        assertThat(exists(schema + ".lockkit_token")).isFalse();
        assertThat(sessions(app)).as("no connection was opened").isZero();
    }

    @Test
    void e1_badValuesAndRepeatsInTheQueryAreReportedAtOnce() {
        assertThatThrownBy(() -> LockKit.open(libpq("variant=mutex&maxConnections=1&driftMargin=soon&bogus=1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant=mutex (expected one of [table, advisory, rowlock])")
                .hasMessageContaining("maxConnections=1 (expected an integer from 2 to 10000)")
                .hasMessageContaining("driftMargin=soon (expected a non-negative duration")
                .hasMessageContaining("bogus (unknown option")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        assertThatThrownBy(() -> LockKit.open(jdbc("variant=table&createSchema=true&variant=advisory&" + names())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant is given twice in the URI's query");
        assertThatThrownBy(() -> LockKit.open(libpq("password=" + SECRET + "x&" + names())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password is given both in the URI's user info and in its query")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3/cr"));
        assertThat(exists(schema + ".lockkit_lock")).isFalse();
    }

    @Test
    void anOptionInTheUriAndTheMapMustAgree() {
        Map<String, String> map = new LinkedHashMap<>(PostgresTestServer.clientOptions("advisory", schema));
        map.put("createSchema", "true");
        map.put("connectionWait", "PT5S");
        map.put("connectTimeout", "7s");
        // the same values: fine (5s is PT5S; the URI's bare connectTimeout is seconds, as pgjdbc reads it)
        try (Backend b = LockKit.open(libpq("variant=advisory&connectionWait=5s&connectTimeout=7"), map)) {
            assertThat(b.name()).isEqualTo("postgresql/advisory");
        }
        // choices and flags are read case-insensitively, so these agree too
        try (Backend b = LockKit.open(libpq("variant=ADVISORY&createSchema=TRUE&connectTimeout=7s"), map)) {
            assertThat(b.name()).isEqualTo("postgresql/advisory");
        }
        map.put("connectTimeout", "7");
        assertThatThrownBy(() -> LockKit.open(libpq("connectTimeout=7"), map))
                .as("the same bare number in both: the map's is refused as a duration, not called a disagreement")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("in the URI but"));
        map.put("connectTimeout", "7s");
        assertThatThrownBy(() -> LockKit.open(libpq("variant=rowlock&connectTimeout=8"), map))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("variant is 'rowlock' in the URI but 'advisory' in the options map")
                .hasMessageContaining("connectTimeout is '8' in the URI but '7s' in the options map")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void aDriverPropertyInTheMapIsSentToTheUri() {
        assertThatThrownBy(() -> LockKit.open(jdbc(names()), Map.of("sslpassword", SECRET, "sslmode", "disable")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sslmode in the options map is a pgjdbc connection property, not a lockkit"
                        + " option: give it in the URI's query (?sslmode=…)")
                .hasMessageContaining("sslpassword in the options map is a pgjdbc connection property")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    /** {@link PostgresBackendProvider#OPTIONS}, which routes the query, is what the provider reads. */
    @Test
    void theProvidersOptionListIsWhatItReads() {
        assertThat(knownOptions()).containsExactlyInAnyOrderElementsOf(PostgresBackendProvider.OPTIONS);
    }

    /** The option names the provider reads, from the list its error for an unknown option shows. */
    static List<String> knownOptions() {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(
                () -> LockKit.open(PostgresTestServer.jdbcUrl(), Map.of("noSuchOption", "x")));
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        Matcher m = Pattern.compile("noSuchOption \\(unknown option; known: \\[([^]]*)]\\)")
                .matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
    }

    private static boolean exists(String relation) {
        try (Connection c = DriverManager.getConnection(PostgresTestServer.jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int sessions(String applicationName) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresTestServer.jdbcUrl());
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
