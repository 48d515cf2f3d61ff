package io.lockkit.postgresql;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.RetryPolicy;
import io.lockkit.Versioned;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The root README's PostgreSQL example (after {@code <!-- example:postgresql -->}) runs as written on
 * a fresh, empty database of the test server, only the URI's host, port, database and user put in:
 * the code between {@code readme:begin} and {@code readme:end} below is the README's, which the
 * second test checks.
 */
class ReadmePostgresExampleTest {
    private static final String MARKER = "<!-- example:postgresql -->";
    private static final Pattern OPEN = Pattern.compile("LockKit\\.open\\(\"([^\"]+)\"\\)");
    private static final Pattern README_URI = Pattern.compile("postgresql://([^/?]+)/([^?]+)\\?(.*)");
    private static final Pattern SERVER = Pattern.compile("jdbc:postgresql://([^/?]+)/[^?]*\\??(.*)");

    @Test
    void theExampleRunsOnAnEmptyDatabase() throws Exception {
        String database = PostgresTestServer.newDatabase();
        try {
            assertThat(lockkitRelations(database)).as("a fresh database").isZero();
            String uri = onTheTestServer(readmeUri(), database);

            // readme:begin
            try (Backend backend = LockKit.open(uri)) {
                Optional<Lease> claim = backend.jobLock().tryAcquire("job-42", Duration.ofSeconds(30));
                if (claim.isPresent()) {
                    Lease lease = claim.get();
                    try {
                        // Fenced: a zombie holder of an older lease of job-42 gets FencedOutException here.
                        backend.versionedUpdate()
                                .updater(RetryPolicy.ofDefaults())
                                .update("job-42/status", lease.token(), current -> Optional.of("DONE".getBytes(UTF_8)));
                    } finally {
                        lease.release();
                    }
                }
            }
            // readme:end

            assertThat(lockkitRelations(database))
                    .as("createSchema=true made the sequence and tables")
                    .isEqualTo(4);
            try (Backend backend = LockKit.open(uri)) {
                Versioned status =
                        backend.versionedUpdate().read("job-42/status").orElseThrow();
                assertThat(status.valueAsString()).isEqualTo("DONE");
                assertThat(status.version()).isEqualTo(1);
                Lease again = backend.jobLock()
                        .tryAcquire("job-42", Duration.ofSeconds(5))
                        .orElseThrow(() -> new AssertionError("job-42 was not released"));
                assertThat(again.release()).isTrue();
            }
        } finally {
            PostgresTestServer.dropDatabase(database);
        }
    }

    @Test
    void theReadmeShowsThisTestsCode() throws Exception {
        String test = Files.readString(Path.of("src/test/java/io/lockkit/postgresql/ReadmePostgresExampleTest.java"));
        int begin = test.indexOf("// readme:begin");
        int end = test.indexOf("// readme:end");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        String region = test.substring(test.indexOf('\n', begin) + 1, end);
        String readme = readmeBlock().replace("\"" + readmeUri() + "\"", "uri");
        assertThat(readme).as("the README's block opens its URI literal").contains("LockKit.open(uri)");
        assertThat(withoutWhitespace(readme)).isEqualTo(withoutWhitespace(region));
    }

    /** The java block after the README's marker, up to its closing fence. */
    private static String readmeBlock() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        int marker = readme.indexOf(MARKER);
        assertThat(marker).as("the root README has %s", MARKER).isPositive();
        int open = readme.indexOf("```java\n", marker);
        assertThat(readme.substring(marker + MARKER.length(), open))
                .as("the block follows the marker")
                .isBlank();
        int start = open + "```java\n".length();
        int close = readme.indexOf("\n```", start);
        assertThat(close).isPositive();
        return readme.substring(start, close + 1);
    }

    private static String readmeUri() throws Exception {
        Matcher m = OPEN.matcher(readmeBlock());
        assertThat(m.find()).as("the README's block opens a URI literal").isTrue();
        return m.group(1);
    }

    /**
     * {@code readmeUri} with the test server's host and port, {@code database}, and the server's user
     * in place of the README's (and its password, if the server has one); the options as they are.
     */
    private static String onTheTestServer(String readmeUri, String database) {
        Matcher readme = README_URI.matcher(readmeUri);
        assertThat(readme.matches()).as(readmeUri).isTrue();
        Matcher server = SERVER.matcher(PostgresTestServer.jdbcUrl());
        assertThat(server.matches()).isTrue();
        String query = readme.group(3);
        assertThat(query).contains("user=");
        String user = parameter(server.group(2), "user");
        String password = parameter(server.group(2), "password");
        query = query.replaceFirst("(^|&)user=[^&]*", "$1user=" + user);
        return "postgresql://" + server.group(1) + "/" + database + "?" + query
                + (password.isEmpty() ? "" : "&password=" + password);
    }

    private static String parameter(String query, String name) {
        Matcher m = Pattern.compile("(?:^|&)" + name + "=([^&]*)").matcher(query);
        return m.find() ? m.group(1) : "";
    }

    private static String withoutWhitespace(String code) {
        return code.replaceAll("\\s+", "");
    }

    private static int lockkitRelations(String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresTestServer.databaseUrl(database));
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM pg_class WHERE relname LIKE 'lockkit%'"
                                + " AND relkind IN ('r', 'S')")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
