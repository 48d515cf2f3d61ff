package io.lockkit.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKit;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Credentials in PostgreSQL URIs, of either form, with passwords holding {@code /}, {@code #},
 * {@code @}, {@code ?} and {@code +}, raw or percent-encoded, in the user info or in {@code
 * password}/{@code sslpassword} parameters: taken apart by structure, decoded without turning
 * {@code +} into a space, kept out of the URL the driver logs and out of every message.
 */
class PgUriTest {
    /** uri, user, password, sslpassword, the URL the driver gets. */
    private static final String[][] FORMS = {
        {"postgresql://alice:pa/ss@127.0.0.1:5432/db", "alice", "pa/ss", null, "jdbc:postgresql://127.0.0.1:5432/db"},
        {"postgresql://alice:se#cret@h/db?ssl=false", "alice", "se#cret", null, "jdbc:postgresql://h/db?ssl=false"},
        {"postgresql://alice:p@ss?w/rd@h:5433/db", "alice", "p@ss?w/rd", null, "jdbc:postgresql://h:5433/db"},
        {"postgresql://alice:a+b@h/db", "alice", "a+b", null, "jdbc:postgresql://h/db"},
        {"postgresql://alice:pa%2Fss%40x%2B+@h/db", "alice", "pa/ss@x++", null, "jdbc:postgresql://h/db"},
        {"jdbc:postgresql://alice:pa/ss#@h/db", "alice", "pa/ss#", null, "jdbc:postgresql://h/db"},
        {
            "jdbc:postgresql://h/db?user=alice&password=pa/ss#x@y+z&ssl=false",
            null,
            "pa/ss#x@y+z",
            null,
            "jdbc:postgresql://h/db?user=alice&ssl=false"
        },
        {
            "jdbc:postgresql://h/db?sslpassword=a+b/c#d@e&password=p%2B%26&sslmode=disable",
            null,
            "p+&",
            "a+b/c#d@e",
            "jdbc:postgresql://h/db?sslmode=disable"
        },
        {"postgresql://h/db?password=x%2Fy+z", null, "x/y+z", null, "jdbc:postgresql://h/db"},
        {
            "jdbc:postgresql://h:5432/db?user=bob&password=Pa/ss#W@rd?+1&ssl=false",
            null,
            "Pa/ss#W@rd?+1",
            null,
            "jdbc:postgresql://h:5432/db?user=bob&ssl=false"
        },
        {
            "postgresql://alice:s3cret@h/db?ApplicationName=a@b",
            "alice",
            "s3cret",
            null,
            "jdbc:postgresql://h/db?ApplicationName=a@b"
        },
        {"postgresql://alice:pa/ss@[::1]:5432,h2/db", "alice", "pa/ss", null, "jdbc:postgresql://[::1]:5432,h2/db"},
    };

    @Test
    void e1_everyFormIsTakenApartByStructureAndDecodedWithoutFormDecoding() {
        for (String[] form : FORMS) {
            PgUri parsed = PgUri.parse(form[0]);
            assertThat(parsed.jdbcUrl()).as(form[0]).isEqualTo(form[4]);
            assertThat(parsed.credentials().getProperty("user")).as(form[0]).isEqualTo(form[1]);
            assertThat(parsed.credentials().getProperty("password")).as(form[0]).isEqualTo(form[2]);
            assertThat(parsed.credentials().getProperty("sslpassword"))
                    .as(form[0])
                    .isEqualTo(form[3]);
            assertThat(parsed.toString()).doesNotContain(form[2]);
        }
    }

    /**
     * Against the test server (whose authentication ignores passwords): every form connects, and
     * nothing the driver logs, at any level, holds the password.
     */
    @Test
    void noFormReachesTheDriversLogOrAMessage() throws Exception {
        Matcher server = Pattern.compile("jdbc:postgresql://([^/]+)/([^?]+).*").matcher(PostgresTestServer.jdbcUrl());
        assertThat(server.matches()).isTrue();
        String schema = "lockkit_test_uri_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        PostgresTestServer.execute("CREATE SCHEMA " + schema);
        Logger driver = Logger.getLogger("org.postgresql");
        Level level = driver.getLevel();
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(
                            new SimpleFormatter().formatMessage(r) + " " + java.util.Arrays.toString(r.getParameters())
                                    + " " + (r.getThrown() == null ? "" : fullText(r.getThrown())));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        driver.setLevel(Level.ALL);
        driver.addHandler(capture);
        String[] secret = {"Pa/ss#W@rd?+1", "Pa%2Fss%23W%40rd%3F+2"};
        String[] uris = {
            "postgresql://postgres:" + secret[0] + "@" + server.group(1) + "/" + server.group(2),
            "jdbc:postgresql://postgres:" + secret[1] + "@" + server.group(1) + "/" + server.group(2),
            "jdbc:postgresql://" + server.group(1) + "/" + server.group(2) + "?user=postgres&password=" + secret[0]
                    + "&sslpassword=" + secret[1] + "&sslmode=disable",
        };
        try {
            for (String uri : uris) {
                try (Backend backend = LockKit.open(uri, options(schema))) {
                    backend.jobLock()
                            .tryAcquire("k", Duration.ofSeconds(5))
                            .orElseThrow()
                            .release();
                }
            }
        } finally {
            driver.removeHandler(capture);
            driver.setLevel(level);
            PostgresTestServer.execute("DROP SCHEMA " + schema + " CASCADE");
        }
        assertThat(logged).as("the driver logged").isNotEmpty();
        for (String line : logged) {
            for (String s : List.of("Pa/ss", "Pa%2Fss", "W@rd", "W%40rd")) {
                assertThat(line).doesNotContain(s);
            }
        }
    }

    @Test
    void e2_noFormShowsItsPasswordInAnError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (String[] form : FORMS) {
            String uri = form[0].replaceFirst("@h(:\\d+)?/", "@127.0.0.1:" + port + "/")
                    .replaceFirst("//h(:\\d+)?/", "//127.0.0.1:" + port + "/")
                    .replace("127.0.0.1:5432", "127.0.0.1:" + port);
            try (Backend backend = LockKit.open(uri, Map.of("connectTimeout", "1s"))) {
                assertThatThrownBy(() -> backend.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                        .as(uri)
                        .isInstanceOf(BackendUnavailableException.class)
                        .satisfies(e -> assertThat(fullText(e)).doesNotContain(form[2]));
            }
            String bad = form[0].replaceFirst("@h(:\\d+)?/", "@h:port/")
                    .replaceFirst("//h(:\\d+)?/", "//h:port/")
                    .replace("127.0.0.1:5432", "h:port")
                    .replace("[::1]:5432", "h:port");
            assertThat(bad).contains("h:port");
            assertThatThrownBy(() -> LockKit.open(bad, Map.of()))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(fullText(e)).doesNotContain(form[2]));
        }
    }

    /**
     * Read by the standard, {@code //u:1234/Secret@host} is host u, port 1234 and the database
     * {@code Secret@host}: the password would go into the driver's URL and its log. An {@code @}
     * followed by a host list ends the user info instead, and nothing of it is echoed.
     */
    @Test
    void e2_aPasswordThatReadsAsAPortAndAPathNeverReachesTheDriversUrl() {
        PgUri libpq = PgUri.parse("postgresql://u:1234/Secret@nosuchhost.invalid");
        assertThat(libpq.jdbcUrl()).isEqualTo("jdbc:postgresql://nosuchhost.invalid/");
        assertThat(libpq.credentials().getProperty("user")).isEqualTo("u");
        assertThat(libpq.credentials().getProperty("password")).isEqualTo("1234/Secret");
        PgUri withQuery = PgUri.parse("postgresql://u:1234/Secret@h:5433?ssl=false");
        assertThat(withQuery.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/?ssl=false");
        assertThat(withQuery.credentials().getProperty("password")).isEqualTo("1234/Secret");
        assertThatThrownBy(() -> PgUri.parse("jdbc:postgresql://u:1234/Sec%ret@localhost"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(fullText(e)).doesNotContain("Sec").doesNotContain("ret@"));
        assertThat(PgUri.parse("postgresql://h/db?ApplicationName=a@b").jdbcUrl())
                .as("an '@' after a '?' is a query value's")
                .isEqualTo("jdbc:postgresql://h/db?ApplicationName=a@b");
        assertThatThrownBy(() -> LockKit.open(
                                "postgresql://u:1234/Secret@nosuchhost.invalid", Map.of("connectTimeout", "1s"))
                        .jobLock()
                        .tryAcquire("k", Duration.ofSeconds(5)))
                .isInstanceOf(BackendUnavailableException.class)
                .satisfies(e -> assertThat(fullText(e)).doesNotContain("Secret"));
    }

    /** A parameter lockkit does not know may hold a secret: its value is never echoed. */
    @Test
    void e2_theValueOfAnUnknownParameterIsNeverEchoed() {
        PgUri secret = PgUri.parse("jdbc:postgresql://h/db?apiKey=K%zz1234&pass=hunter22");
        assertThat(secret.options()).containsEntry("apiKey", "").containsEntry("pass", "");
        assertThat(secret.problems()).isEmpty();
        PgUri unknown = PgUri.parse("jdbc:postgresql://h/db?colour=K%zz1234");
        assertThat(unknown.problems())
                .singleElement()
                .satisfies(p -> assertThat(p).contains("colour").doesNotContain("K%zz1234"));
    }

    private static Map<String, String> options(String schema) {
        return Map.of(
                "createSchema", "true",
                "lockTable", schema + ".locks",
                "rowLockTable", schema + ".row_locks",
                "versionedTable", schema + ".versioned",
                "tokenSequence", schema + ".tokens",
                "namespace", schema);
    }

    private static String fullText(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(fullText(s));
            }
        }
        return all.toString();
    }
}
