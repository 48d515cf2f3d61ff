package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.LockKit;
import io.lockkit.mariadb.internal.MariaDbBackendProvider;
import io.lockkit.spi.Options;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link MariaDbBackendProvider#OPTIONS}, which routes the URI's query, is what the provider reads
 * (collected from its own "known: [...]" list), and backend-jdbc/README.md's MariaDB option table
 * lists each, no other, with the default the code uses.
 */
class MariaDbProviderOptionsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| `([^`]+)` \\| (.+) \\|$");

    @Test
    void theProvidersOptionListIsWhatItReads() {
        assertThat(knownOptions()).containsExactlyInAnyOrderElementsOf(MariaDbBackendProvider.OPTIONS);
    }

    @Test
    void everyOptionTheProviderReadsIsInTheReadmeWithItsDefault() throws Exception {
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : optionsSection().split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(documented.put(m.group(1), m.group(2)))
                        .as("%s listed twice", m.group(1))
                        .isNull();
            }
        }
        List<String> known = knownOptions();
        assertThat(documented.keySet())
                .as("the README's MariaDB option table")
                .containsExactlyInAnyOrderElementsOf(known);
        Map<String, Object> defaults = defaults();
        assertThat(defaults.keySet()).containsExactlyInAnyOrderElementsOf(known);
        defaults.forEach((name, value) -> {
            String written = documented.get(name);
            if (value instanceof Duration d) {
                assertThat(Options.parseDuration(written))
                        .as("%s's default in the README, %s", name, written)
                        .isEqualTo(d);
            } else {
                assertThat(written).as("%s's default in the README", name).isEqualTo(value);
            }
        });
        for (String example : List.of("500ms", "2s", "PT1.5S")) {
            assertThat(optionsSection()).contains("`" + example + "`");
        }
    }

    /** The defaults in the code, as the README writes them. */
    private static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", "table");
        m.put("createSchema", "false");
        m.put("lockTable", MariaDbBackend.DEFAULT_LOCK_TABLE);
        m.put("tokenSequence", MariaDbBackend.DEFAULT_TOKEN_SEQUENCE);
        m.put("versionedTable", MariaDbBackend.DEFAULT_VERSIONED_TABLE);
        m.put("maxConnections", Integer.toString(MariaDbBackendProvider.DEFAULT_MAX_CONNECTIONS));
        m.put("connectTimeout", MariaDbBackendProvider.DEFAULT_CONNECT_TIMEOUT);
        m.put("connectionWait", MariaDbBackend.DEFAULT_CONNECTION_WAIT);
        m.put("networkTimeout", MariaDbBackend.DEFAULT_NETWORK_TIMEOUT);
        m.put("pollInterval", MariaDbBackend.DEFAULT_POLL_INTERVAL);
        m.put("driftMargin", MariaDbBackend.DEFAULT_DRIFT_MARGIN);
        return m;
    }

    private static String optionsSection() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## MariaDB provider options\n");
        assertThat(start)
                .as("backend-jdbc/README.md has '## MariaDB provider options'")
                .isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The option names the provider reads, from the list its error for an unknown option shows. */
    static List<String> knownOptions() {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(
                () -> LockKit.open(MariaDbTestServer.unreachableUrl(), Map.of("noSuchOption", "x")));
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        Matcher m = Pattern.compile("noSuchOption \\(unknown option; known: \\[([^]]*)]\\)")
                .matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
    }
}
