package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.redis.internal.RedisBackendProvider;
import io.lockkit.spi.Options;
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
    static Set<String> known() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> new RedisBackendProvider().open("redis://127.0.0.1:1", Map.of("noSuchOption", "x")));
        Matcher m = Pattern.compile("noSuchOption \\(unknown option; known: \\[([^\\]]*)\\]\\)")
                .matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::strip).collect(Collectors.toCollection(TreeSet::new));
    }

    /** option → default, from the README's table. */
    static Map<String, String> readmeTable() throws Exception {
        Path classes = Path.of(RedisBackendProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String readme = Files.readString(classes.resolve("../../README.md").normalize(), StandardCharsets.UTF_8);
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
        assertThat(known).contains("timeout", "connectTimeout", "driftMargin", "prefix", "evictionPolicyCheck");
        assertThat(readmeTable().keySet()).containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    @DisplayName("the defaults in the table are the provider's")
    void defaultsAreTheProvidersDefaults() throws Exception {
        Map<String, String> table = readmeTable();
        assertThat(Options.parseDuration(table.get("timeout"))).isEqualTo(RedisBackend.DEFAULT_TIMEOUT);
        assertThat(Options.parseDuration(table.get("connectTimeout")))
                .isEqualTo(RedisBackendProvider.DEFAULT_CONNECT_TIMEOUT);
        assertThat(Options.parseDuration(table.get("driftMargin"))).isEqualTo(RedisBackend.DEFAULT_DRIFT_MARGIN);
        assertThat(table.get("prefix")).isEqualTo(RedisBackend.DEFAULT_PREFIX);
        assertThat(table.get("clientName")).isEqualTo(RedisBackendProvider.DEFAULT_CLIENT_NAME);
        assertThat(table.get("evictionPolicyCheck")).isEqualTo("refuse");
        assertThat(table.get("persistent")).isEqualTo("false");
    }

    @Test
    @DisplayName("the README states the duration grammar, and the table's examples parse with it")
    void durationGrammarIsDocumented() throws Exception {
        Path classes = Path.of(RedisBackendProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String readme = Files.readString(classes.resolve("../../README.md").normalize(), StandardCharsets.UTF_8);
        for (String example : new String[] {"500ms", "2s", "1m", "PT1.5S"}) {
            assertThat(readme).contains("`" + example + "`");
            assertThat(Options.parseDuration(example)).as(example).isNotNull();
        }
        // An option the README shows in a URI is one the provider accepts.
        assertThatThrownBy(() -> new RedisBackendProvider()
                        .open("redis://127.0.0.1:1?timeout=10s&prefix=app&connectTimeout=PT1.5S&colour=x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("colour (unknown option")
                .hasMessageNotContaining("expected a");
    }
}
