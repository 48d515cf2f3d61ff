package io.lockkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The meter tables (this module's README, the project's) name exactly the meters {@link LockKitMetrics} declares. */
class ReadmeTest {
    @Test
    void theMeterTableListsEveryMeterAndNoOther() throws Exception {
        check(Path.of("README.md"));
    }

    @Test
    void theProjectReadmeCarriesTheSameTable() throws Exception {
        check(Path.of("..", "README.md"));
        String mine = Files.readString(Path.of("README.md"));
        String project = Files.readString(Path.of("..", "README.md"));
        String table = mine.substring(mine.indexOf("| Name | Type | Tags |"), mine.indexOf("**Keys** are never"))
                .strip();
        assertThat(project).contains(table);
    }

    private static void check(Path file) throws Exception {
        String readme = Files.readString(file);
        Set<String> table = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(lockkit\\.[a-z.]+)` \\|").matcher(readme);
        while (row.find()) {
            table.add(row.group(1));
        }
        Set<String> declared = Arrays.stream(LockKitMetrics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(ReadmeTest::value)
                .filter(v -> v.startsWith("lockkit."))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(declared).hasSize(10);
        assertThat(table).isEqualTo(declared);
    }

    private static String value(Field f) {
        try {
            return (String) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
