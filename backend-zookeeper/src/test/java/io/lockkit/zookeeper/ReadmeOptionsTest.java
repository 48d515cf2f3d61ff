package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.spi.Options;
import io.lockkit.zookeeper.internal.ZooKeeperBackendProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * README.md's table of options is the provider's: every option the provider reads (the "known"
 * list of its unknown-option error) has a row, every row is an option it reads, and the defaults
 * shown are the ones it uses.
 */
@DisplayName("README options table")
class ReadmeOptionsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z]+)` \\| `([^`]*)` \\|.*$", Pattern.MULTILINE);

    /** The options the provider reads, from the message with which it refuses an unknown one. */
    private static Set<String> known() {
        IllegalArgumentException e =
                Assertions.assertThrows(IllegalArgumentException.class, () -> new ZooKeeperBackendProvider()
                        .open("zookeeper://127.0.0.1:1", Map.of("noSuchOption", "x")));
        Matcher m = Pattern.compile("noSuchOption \\(unknown option; known: \\[([^\\]]*)\\]\\)")
                .matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::strip).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String readme() throws Exception {
        Path classes = Path.of(ZooKeeperBackendProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        return Files.readString(classes.resolve("../../README.md").normalize(), StandardCharsets.UTF_8);
    }

    /** option → default, from the README's table. */
    private static Map<String, String> readmeTable() throws Exception {
        String readme = readme();
        int table = readme.indexOf("| option | default | what |");
        assertThat(table)
                .as("README.md has a table '| option | default | what |'")
                .isNotNegative();
        int end = readme.indexOf("\n\n", table);
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(readme.substring(table, end < 0 ? readme.length() : end));
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        return rows;
    }

    @Test
    @DisplayName("every option the provider reads has a row, and every row is an option it reads")
    void everyOptionIsDocumented() throws Exception {
        Set<String> known = known();
        assertThat(known).contains("sessionTimeout", "timeout", "driftMargin", "root");
        assertThat(readmeTable().keySet()).containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    @DisplayName("the defaults in the table are the provider's")
    void defaultsAreTheProvidersDefaults() throws Exception {
        Map<String, String> table = readmeTable();
        assertThat(Options.parseDuration(table.get("sessionTimeout")))
                .isEqualTo(ZooKeeperBackendProvider.DEFAULT_SESSION_TIMEOUT);
        assertThat(Options.parseDuration(table.get("timeout"))).isEqualTo(ZooKeeperBackend.DEFAULT_TIMEOUT);
        assertThat(Options.parseDuration(table.get("driftMargin"))).isEqualTo(ZooKeeperBackend.DEFAULT_DRIFT_MARGIN);
        assertThat(table.get("root")).isEqualTo(ZooKeeperBackend.DEFAULT_ROOT);
    }

    @Test
    @DisplayName("the README states the duration grammar, whose examples parse")
    void durationGrammarIsDocumented() throws Exception {
        String readme = readme();
        for (String example : new String[] {"500ms", "2s", "1m", "PT1.5S"}) {
            assertThat(readme).contains("`" + example + "`");
            assertThat(Options.parseDuration(example)).as(example).isNotNull();
        }
    }
}
