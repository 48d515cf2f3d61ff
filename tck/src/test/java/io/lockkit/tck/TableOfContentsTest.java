package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.scenarios.Scenarios;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The kits' table of contents is the pair of rules interfaces, which the compiler holds the kits to
 * (every method there is implemented, every test says {@code @Override}). This test closes what the
 * compiler cannot see: a test without {@code @Override}, a group of the interface no nested class
 * implements, a test named for a rule that does not exist or displayed under another, tck/README's
 * table drifting from the interfaces, and {@link Rule#text()} drifting from CONTRACT.md.
 */
class TableOfContentsTest {
    private static final Pattern README_ROW = Pattern.compile("^\\|(?: (\\w+) \\|)? `(\\w+)` \\| ([^|]*) \\|");
    private static final Pattern DISPLAY_RULES = Pattern.compile("^((?:[LVE]\\d)(?:(?:/|, )[LVE]\\d)*): ");
    private static final Pattern DISPLAY_SCENARIO = Pattern.compile("^scenario (\\d+[ab]?): ");

    @Test
    void everyKitTestIsAnEntryOfItsRulesInterfaceAndEveryEntryIsATest() {
        for (Class<?> kit : List.of(JobLockTck.class, VersionedUpdateTck.class)) {
            Class<?> rules = kit == JobLockTck.class ? JobLockRules.class : VersionedUpdateRules.class;
            assertThat(rules.isAssignableFrom(kit))
                    .as("%s implements %s", kit, rules)
                    .isTrue();
            for (Class<?> group : rules.getDeclaredClasses()) {
                assertThat(group.getDeclaredClasses())
                        .as("groups of %s hold entries only", rules.getSimpleName())
                        .isEmpty();
            }
            for (Method m : kit.getDeclaredMethods()) {
                assertThat(isTest(m))
                        .as(
                                "%s.%s is a test outside the kit's groups: put it in the @Nested group of its rule",
                                kit.getSimpleName(), m.getName())
                        .isFalse();
            }
            Map<String, Class<?>> implemented = new TreeMap<>();
            for (Class<?> nested : kit.getDeclaredClasses()) {
                if (!nested.isAnnotationPresent(Nested.class)) {
                    continue;
                }
                List<Class<?>> groups = Arrays.stream(nested.getInterfaces())
                        .filter(i -> i.getEnclosingClass() == rules)
                        .toList();
                assertThat(groups)
                        .as(
                                "@Nested %s implements exactly one group of %s",
                                nested.getSimpleName(), rules.getSimpleName())
                        .hasSize(1);
                implemented.put(groups.get(0).getSimpleName(), nested);
                assertThat(Modifier.isStatic(nested.getModifiers()) || Modifier.isPrivate(nested.getModifiers()))
                        .as("@Nested %s is an inner, non-private class, or JUnit never runs it", nested.getSimpleName())
                        .isFalse();
                for (Method entry : groups.get(0).getMethods()) {
                    assertThat(entry.isDefault())
                            .as(
                                    "%s.%s is an entry, not a test of its own",
                                    groups.get(0).getSimpleName(), entry.getName())
                            .isFalse();
                    Method test = implementation(nested, entry);
                    assertThat(test.isAnnotationPresent(Test.class) && !test.isAnnotationPresent(Disabled.class))
                            .as(
                                    "%s.%s implements an entry of the table of contents, so it is an enabled @Test",
                                    nested.getSimpleName(), entry.getName())
                            .isTrue();
                }
                for (Method m : nested.getDeclaredMethods()) {
                    if (isTest(m)) {
                        assertThat(declares(groups.get(0), m))
                                .as(
                                        "%s.%s is a test but not an entry of %s (add it there, with @Override)",
                                        nested.getSimpleName(),
                                        m.getName(),
                                        groups.get(0).getName())
                                .isTrue();
                    }
                }
            }
            List<String> groups = Arrays.stream(rules.getDeclaredClasses())
                    .map(Class::getSimpleName)
                    .sorted()
                    .toList();
            assertThat(implemented.keySet())
                    .as("every group of %s has a @Nested class in %s", rules.getSimpleName(), kit.getSimpleName())
                    .containsExactlyElementsOf(groups);
        }
    }

    @Test
    void everyTestIsNamedAndDisplayedForRulesOrAScenarioThatExist() throws Exception {
        for (Map.Entry<String, Method> e : kitTests().entrySet()) {
            String name = e.getKey();
            String display = e.getValue().getAnnotation(DisplayName.class).value();
            if (name.startsWith("scenario")) {
                Matcher m = DISPLAY_SCENARIO.matcher(display);
                assertThat(m.find())
                        .as("%s is displayed as 'scenario N: …': %s", name, display)
                        .isTrue();
                String id = m.group(1);
                assertThat(name)
                        .as("the name of the test of scenario %s", id)
                        .startsWith("scenario" + (id.length() == 1 || !Character.isDigit(id.charAt(1)) ? "0" : "") + id
                                + "_");
                assertThat(Scenarios.byId(id).id()).isEqualTo(id);
                continue;
            }
            if (name.startsWith("fixture_")) {
                continue;
            }
            List<Rule> named = Rule.ofTestName(name);
            assertThat(named)
                    .as("%s starts with the rules it checks, such as l1_ or v2_v3_", name)
                    .isNotEmpty();
            Matcher m = DISPLAY_RULES.matcher(display);
            assertThat(m.find())
                    .as("%s is displayed as 'L1: …' or 'V2, V3: …': %s", name, display)
                    .isTrue();
            List<Rule> displayed =
                    Arrays.stream(m.group(1).split("/|, ")).map(Rule::valueOf).toList();
            assertThat(displayed.get(0))
                    .as("the first rule of %s, as displayed: %s", name, display)
                    .isEqualTo(named.get(0));
            assertThat(displayed)
                    .as("the rules of %s, as displayed: %s", name, display)
                    .containsAll(named);
        }
    }

    @Test
    void readmeTableOfContentsListsExactlyTheKitTestsInTheirGroups() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## 6. Table of contents");
        int end = readme.indexOf("\n## ", start + 1);
        assertThat(start)
                .as("tck/README.md has section 6, the table of contents")
                .isNotNegative();
        Map<String, String> listed = new LinkedHashMap<>();
        List<String> twice = new ArrayList<>();
        for (String line : readme.substring(start, end).split("\n")) {
            Matcher m = README_ROW.matcher(line);
            if (m.find()) {
                if (listed.put(m.group(2), m.group(1) == null ? "" : m.group(1)) != null) {
                    twice.add(m.group(2));
                }
            }
        }
        assertThat(twice).as("tests listed twice in tck/README.md").isEmpty();
        Map<String, String> expected = new TreeMap<>();
        kitTests()
                .forEach((name, method) -> expected.put(
                        name,
                        method.getDeclaringClass() == AbstractTck.class
                                ? ""
                                : method.getDeclaringClass().getSimpleName()));
        assertThat(new TreeMap<>(listed))
                .as("tck/README.md §6 (test → group) against the rules interfaces")
                .isEqualTo(expected);
    }

    @Test
    void everyRuleIsWordForWordTheContract() throws IOException {
        String contract =
                String.join(" ", Files.readString(Path.of("../CONTRACT.md")).split("\\s+"));
        for (Rule rule : Rule.values()) {
            assertThat(contract)
                    .as("CONTRACT.md states %s as Rule.%s does", rule.label(), rule.name())
                    .contains("**" + rule.label() + ".** " + rule.text());
        }
    }

    @Test
    void contractListsEveryKitTestUnderItsFirstRuleAndNoOtherTest() throws IOException {
        String contract = Files.readString(Path.of("../CONTRACT.md"));
        Map<String, Method> tests = kitTests();
        for (String name : tests.keySet()) {
            List<Rule> rules = Rule.ofTestName(name);
            String where = rules.isEmpty() ? contract : ruleParagraph(contract, rules.get(0));
            assertThat(where)
                    .as(
                            "CONTRACT.md §3 lists %s after %s",
                            name, rules.isEmpty() ? "a rule" : rules.get(0).label())
                    .contains("`" + name + "`");
        }
        Matcher named =
                Pattern.compile("`((?:[lve]\\d_|scenario\\d|fixture_)\\w+)`").matcher(contract);
        while (named.find()) {
            assertThat(tests)
                    .as("CONTRACT.md names %s, which is no kit test", named.group(1))
                    .containsKey(named.group(1));
        }
    }

    /** The text of {@code rule} in CONTRACT.md §3, from its bold label to the next rule's. */
    private static String ruleParagraph(String contract, Rule rule) {
        int start = contract.indexOf("**" + rule.label() + ".**");
        assertThat(start).as("CONTRACT.md states %s", rule.label()).isNotNegative();
        int end = contract.indexOf("\n**", start + 1);
        return contract.substring(start, end < 0 ? contract.length() : end);
    }

    private static boolean isTest(Method m) {
        return m.isAnnotationPresent(Test.class)
                || m.isAnnotationPresent(ParameterizedTest.class)
                || m.isAnnotationPresent(RepeatedTest.class)
                || m.isAnnotationPresent(TestFactory.class)
                || m.isAnnotationPresent(TestTemplate.class);
    }

    private static Method implementation(Class<?> nested, Method entry) {
        try {
            return nested.getDeclaredMethod(entry.getName(), entry.getParameterTypes());
        } catch (NoSuchMethodException e) {
            throw new AssertionError(nested.getSimpleName() + " does not itself implement " + entry.getName(), e);
        }
    }

    /** Every test of the two kits by name (names are unique across both), with its declaring class. */
    private static Map<String, Method> kitTests() {
        Map<String, Method> tests = new TreeMap<>();
        for (Class<?> kit : List.of(JobLockTck.class, VersionedUpdateTck.class)) {
            List<Class<?>> classes = new ArrayList<>(List.of(kit.getDeclaredClasses()));
            classes.add(AbstractTck.class);
            for (Class<?> c : classes) {
                for (Method m : c.getDeclaredMethods()) {
                    if (isTest(m)) {
                        assertThat(Modifier.isPublic(m.getModifiers()))
                                .as("%s is public, as the entry it implements", m.getName())
                                .isTrue();
                        Method earlier = tests.put(m.getName(), m);
                        assertThat(earlier == null || earlier.equals(m))
                                .as("test name %s is used twice", m.getName())
                                .isTrue();
                    }
                }
            }
        }
        return tests;
    }

    private static boolean declares(Class<?> group, Method m) {
        try {
            group.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
