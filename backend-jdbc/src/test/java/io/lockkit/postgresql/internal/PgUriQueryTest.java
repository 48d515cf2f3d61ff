package io.lockkit.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How {@link PgUri} reads a URI's structure and query, without a server: each rejection names the
 * bad part and why (never a password), and each query parameter goes to lockkit, to the driver, or
 * to the list of problems.
 */
class PgUriQueryTest {
    /** A password with '/', '#' and '@', in the user info: it must never be in a message. */
    private static final String SECRET = "pa/ss#w@rd";

    /** uri, what the message must say. */
    private static final String[][] REJECTED = {
        {"jdbc:postgresql://h:port/db", "the port 'port' of 'h:port' is not a number"},
        {"postgresql://alice:" + SECRET + "@h:port/db", "the port 'port' of 'h:port' is not a number"},
        {"jdbc:postgresql://alice:" + SECRET + "@h:5x/db", "the port '5x' of 'h:5x' is not a number"},
        {"jdbc:postgresql://h:99999/db", "the port 99999 of 'h:99999' is out of range (1 to 65535)"},
        {"postgresql://alice:" + SECRET + "@h:0/db", "the port 0 of 'h:0' is out of range (1 to 65535)"},
        {"jdbc:postgresql://h:12345678901234567890/db", "is out of range (1 to 65535)"},
        {"jdbc:postgresql://h:/db", "the port of 'h:' is empty"},
        {"jdbc:postgresql://h1,,h2/db", "an empty host in the host list 'h1,,h2'"},
        {"jdbc:postgresql://h1:5432,:5433/db", "no host before the port in ':5433'"},
        {"jdbc:postgresql:///db", "no host after '//'"},
        {"jdbc:postgresql://[::1/db", "the IPv6 address in '[::1' has no closing ']'"},
        {"jdbc:postgresql://[::1]5432/db", "'5432' follows the IPv6 address in '[::1]5432'"},
        {"jdbc:postgresql://h!st/db", "the host 'h!st' holds a character a host name cannot"},
        {"jdbc:postgresql://alice:pa%2Fss%23w%40rd@db.example:5432", "no '/database' after the hosts 'db.example:5432'"
        },
        {"jdbc:postgresql://alice:" + SECRET + "@db.example:5432", "no '/database' after the hosts 'db.example:5432'"},
        {"jdbc:postgresql://h/d%zz", "the database name 'd%zz' has a '%' that starts no %XX escape"},
        {"mysql://alice:" + SECRET + "@h/db", "its scheme 'mysql:' is neither jdbc:postgresql: nor postgresql://"},
        {"postgresql://alice:pa/ss@h!x/db", "its hosts cannot be told from its user info"},
    };

    @Test
    void e1_everyRejectionNamesTheBadPartAndWhyButNoPassword() {
        for (String[] c : REJECTED) {
            assertThatThrownBy(() -> PgUri.parse(c[0]))
                    .as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c[1])
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain(SECRET)
                            .doesNotContain("pa/ss")
                            .doesNotContain("pa%2Fss")
                            .doesNotContain("w@rd"));
        }
    }

    @Test
    void aLibpqUriWithoutADatabaseGetsTheUsersDatabaseAsLibpqDoes() {
        assertThat(PgUri.parse("postgresql://h:5433").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/");
        assertThat(PgUri.parse("postgresql://alice:" + SECRET + "@h?sslmode=disable")
                        .jdbcUrl())
                .isEqualTo("jdbc:postgresql://h/?sslmode=disable");
        assertThat(PgUri.parse("postgresql://[::1]:5432,h2").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432,h2/");
    }

    @Test
    void lockkitOptionsLeaveTheUrlAndDriverPropertiesStayInIt() {
        PgUri parsed = PgUri.parse("jdbc:postgresql://h:5432/db?variant=advisory&sslmode=disable&createSchema=true"
                + "&ApplicationName=a+b&connectTimeout=7&lockTable=app%2Elocks&namespace=n%2Bx+y");
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=disable&ApplicationName=a+b");
        // connectTimeout is pgjdbc's name too: lockkit's option wins, and lockkit passes it on
        assertThat(parsed.options())
                .containsExactly(
                        Map.entry("variant", "advisory"),
                        Map.entry("createSchema", "true"),
                        Map.entry("connectTimeout", "7"),
                        Map.entry("lockTable", "app.locks"),
                        Map.entry("namespace", "n+x+y"));
        assertThat(parsed.problems()).isEmpty();
    }

    @Test
    void aParameterNeitherLockkitsNorTheDriversIsKeptForTheOptionsToRejectWithoutItsSecretValue() {
        PgUri parsed = PgUri.parse("jdbc:postgresql://h/db?sslmode=disable&colour=blue&apitoken=s3cr3t-v&password=p");
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?sslmode=disable");
        assertThat(parsed.options()).containsExactly(Map.entry("colour", "blue"), Map.entry("apitoken", ""));
        assertThat(parsed.credentials().getProperty("password")).isEqualTo("p");
        assertThat(parsed.toString()).doesNotContain("s3cr3t-v");
    }

    @Test
    void e1_queryProblemsNameTheParameterAndNeverASecret() {
        PgUri parsed = PgUri.parse("postgresql://alice:" + SECRET + "@h/db?variant=table&variant=advisory"
                + "&password=" + SECRET + "x&namespace=%zz&PGPORT=1&=x&sslmode=%4"
                + "&sslpassword=one-" + SECRET + "&sslpassword=two-" + SECRET + "&user=bob");
        List<String> problems = parsed.problems();
        assertThat(problems)
                .containsExactly(
                        "variant is given twice in the URI's query (give it once)",
                        "password is given both in the URI's user info and in its query (give it once)",
                        "the value of namespace in the URI's query has a '%' that starts no %XX escape (write % as %25)",
                        "PGPORT in the URI's query (the hosts, ports and database go in the URI's authority and path:"
                                + " jdbc:postgresql://host:port/database)",
                        "a query parameter has no name ('=' first)",
                        "the value of sslmode in the URI's query has a '%' that starts no %XX escape (write % as %25)",
                        "sslpassword is given twice in the URI's query (give it once)",
                        "user is given both in the URI's user info and in its query (give it once)");
        assertThat(String.join("\n", problems)).doesNotContain("pa/ss").doesNotContain("w@rd");
        assertThat(parsed.credentials().getProperty("password")).isEqualTo(SECRET);
    }
}
