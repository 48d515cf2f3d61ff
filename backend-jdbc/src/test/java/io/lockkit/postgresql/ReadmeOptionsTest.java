package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.postgresql.internal.PostgresBackendProvider;
import io.lockkit.spi.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * backend-jdbc/README.md's option table lists every option the provider reads (collected from the
 * provider's own "known: [...]" list), no other, each with the default the code uses, and the README
 * states the duration grammar.
 */
class ReadmeOptionsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| `([^`]+)` \\| (.+) \\|$");

    /** The defaults in the code, as the README writes them. */
    private static Map<String, Object> defaults() {
        TableNames d = TableNames.DEFAULT;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", PostgresBackend.DEFAULT_VARIANT.name().toLowerCase(Locale.ROOT));
        m.put("createSchema", "false");
        m.put("lockTable", d.lockTable());
        m.put("rowLockTable", d.rowLockTable());
        m.put("versionedTable", d.versionedTable());
        m.put("tokenSequence", d.tokenSequence());
        m.put("namespace", PostgresBackend.DEFAULT_NAMESPACE);
        m.put("maxConnections", Integer.toString(PostgresBackendProvider.DEFAULT_MAX_CONNECTIONS));
        m.put("connectTimeout", PostgresBackendProvider.DEFAULT_CONNECT_TIMEOUT);
        m.put("connectionWait", PostgresBackend.DEFAULT_CONNECTION_WAIT);
        m.put("networkTimeout", PostgresBackend.DEFAULT_NETWORK_TIMEOUT);
        m.put("waitFallback", PostgresBackend.DEFAULT_WAIT_FALLBACK);
        m.put("sessionCheck", PostgresBackend.DEFAULT_SESSION_CHECK);
        m.put("driftMargin", PostgresBackend.DEFAULT_DRIFT_MARGIN);
        return m;
    }

    private static String optionsSection() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Provider options\n");
        assertThat(start).as("backend-jdbc/README.md has '## Provider options'").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void everyOptionTheProviderReadsIsInTheTableWithItsDefault() throws Exception {
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : optionsSection().split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(documented.put(m.group(1), m.group(2)))
                        .as("%s listed twice", m.group(1))
                        .isNull();
            }
        }
        List<String> known = ProviderOptionsTest.knownOptions();
        assertThat(known).as("the provider's known options").hasSizeGreaterThan(10);
        assertThat(documented.keySet()).as("the README's option table").containsExactlyInAnyOrderElementsOf(known);
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
    }

    @Test
    void theDurationGrammarIsStatedWithExamplesThatParse() throws Exception {
        String section = optionsSection();
        for (String example : List.of("500ms", "2s", "1m", "PT1.5S")) {
            assertThat(section).contains("`" + example + "`");
            assertThat(Options.parseDuration(example)).as(example).isNotNull();
        }
    }
}
