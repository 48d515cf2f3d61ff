package io.lockkit.mariadb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * MariaDB URIs of either form taken apart by structure (the parsing shared with PostgreSQL): passwords
 * with {@code /}, {@code #}, {@code ?}, {@code @}, {@code :} and {@code %}, raw or percent-encoded, kept out
 * of the driver's URL; Connector/J's options (matched as it matches them, ignoring case, with its
 * aliases) left for the driver, lockkit's taken out, anything else kept for the options to refuse.
 */
class MariaDbUriTest {
    /** uri, user, password, the URL the driver gets. */
    private static final String[][] FORMS = {
        {"mariadb://app:p/a#s?s@w:d%@127.0.0.1:3306/db", "app", "p/a#s?s@w:d%", "jdbc:mariadb://127.0.0.1:3306/db"},
        {"mariadb://app:p%2Fa%23s%3Fs%40w%3Ad%25@h/db", "app", "p/a#s?s@w:d%", "jdbc:mariadb://h/db"},
        {"mariadb://app:a+b@h", "app", "a+b", "jdbc:mariadb://h/"},
        {"jdbc:mariadb://app:pa/ss#@h/db?sslMode=disable", "app", "pa/ss#", "jdbc:mariadb://h/db?sslMode=disable"},
        {
            "jdbc:mariadb://h/db?user=app&password=p/a#s?s@w:d%&socketTimeout=1000",
            null,
            "p/a#s?s@w:d%",
            "jdbc:mariadb://h/db?user=app&socketTimeout=1000"
        },
        {"jdbc:mariadb://h:3307", null, null, "jdbc:mariadb://h:3307/"},
        {"jdbc:mariadb:sequential://app:s3/cr@h1:3306,h2/db", "app", "s3/cr", "jdbc:mariadb:sequential://h1:3306,h2/db"
        },
    };

    @Test
    void everyFormIsTakenApartByStructureAndTheDriversUrlHoldsNoCredential() {
        for (String[] form : FORMS) {
            MariaDbUri parsed = MariaDbUri.parse(form[0]);
            assertThat(parsed.jdbcUrl()).as(form[0]).isEqualTo(form[3]);
            assertThat(parsed.credentials().getProperty("user")).as(form[0]).isEqualTo(form[1]);
            assertThat(parsed.credentials().getProperty("password")).as(form[0]).isEqualTo(form[2]);
            assertThat(parsed.problems()).as(form[0]).isEmpty();
            assertThat(parsed.toString()).doesNotContain("p/a").doesNotContain("s3/cr");
        }
    }

    @Test
    void driverOptionsStayLockkitOptionsAreTakenAndTheRestIsKeptForRefusal() {
        MariaDbUri parsed = MariaDbUri.parse("jdbc:mariadb://h/db?variant=table&SOCKETTIMEOUT=500&connectTimeout=7"
                + "&colour=blue&clientCertificateKeyStorePassword=k%2By&useSSL=false&createSchema=true");
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:mariadb://h/db?SOCKETTIMEOUT=500&useSSL=false");
        assertThat(parsed.options())
                .containsExactly(
                        Map.entry("variant", "table"),
                        Map.entry("connectTimeout", "7"),
                        Map.entry("colour", "blue"),
                        Map.entry("createSchema", "true"));
        assertThat(parsed.credentials().getProperty("keyStorePassword")).isEqualTo("k+y");
        assertThat(parsed.problems()).isEmpty();
        // the driver's spelling of a lockkit option is lockkit's
        assertThat(MariaDbUri.parse("jdbc:mariadb://h/db?connecttimeout=7").options())
                .containsExactly(Map.entry("connectTimeout", "7"));
    }

    @Test
    void repeatsAndTheDatabaseAsAParameterAreProblemsNamingTheParameter() {
        MariaDbUri parsed = MariaDbUri.parse(
                "mariadb://app:s3cr3t@h/db?socketTimeout=1&sockettimeout=2&database=other&password=x&bad=%zz");
        assertThat(parsed.problems())
                .anySatisfy(p -> assertThat(p).contains("sockettimeout is given twice"))
                .anySatisfy(p -> assertThat(p).startsWith("database in the URI's query"))
                .anySatisfy(
                        p -> assertThat(p).contains("password is given both in the URI's user info and in its query"))
                .anySatisfy(p -> assertThat(p).contains("the value of bad in the URI's query has a '%'"))
                .allSatisfy(p -> assertThat(p).doesNotContain("s3cr3t"));
    }

    @Test
    void malformedUrisAreRefusedNamingThePartNeverThePassword() {
        assertThatThrownBy(() -> MariaDbUri.parse("mysql://app:s3cr3t@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a MariaDB URI (jdbc:mariadb://host[:port]/database[?properties]")
                .hasMessageContaining("its scheme 'mysql:' is neither jdbc:mariadb: nor mariadb://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> MariaDbUri.parse("mariadb://app:s3cr3t@h:99999/db"))
                .hasMessageContaining("the port 99999 of 'h:99999' is out of range")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> MariaDbUri.parse("jdbc:mariadb:galera://h/db"))
                .hasMessageContaining("'galera' before '//' is no high-availability mode");
    }

    /** {@link MariaDbUri#ALIASES} is Connector/J's own list, which its module does not export. */
    @Test
    void theAliasesAreTheDriversAndTheDriversOptionsAreKnown() throws ReflectiveOperationException {
        Object aliases = Class.forName("org.mariadb.jdbc.util.options.OptionAliases")
                .getField("OPTIONS_ALIASES")
                .get(null);
        assertThat(MariaDbUri.ALIASES).isEqualTo(aliases);
        for (String name : Set.of(
                "sslMode",
                "socketTimeout",
                "useAffectedRows",
                "connectionAttributes",
                "user",
                "password",
                "keyStorePassword",
                "useSsl",
                "trustServerCertificate")) {
            assertThat(MariaDbUri.driverName(name)).as(name).isEqualTo(name);
        }
        assertThat(MariaDbUri.driverName("colour")).isNull();
        assertThat(MariaDbUri.driverName("_haMode")).isNull();
    }
}
