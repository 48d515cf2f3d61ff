package io.lockkit.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The whole table of the race scenarios (CONTRACT.md) for the peers, printed: every scenario
 * against every peer factory found by ServiceLoader, with the {@code lockkit.tck.*} settings from
 * system properties. Slow (minutes), so it runs only with {@code -Dpeers.table=true}; {@code
 * -Dpeers.only=a,b} picks peers. It asserts only that every row was produced: a peer's results are
 * reported as measured.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "peers.table", matches = "true")
class PeerTableTest {
    @Test
    void printsTheScenarioTableForEveryPeer() throws Exception {
        TckSettings settings = TckSettings.fromSystemProperties();
        List<String> only = List.of(System.getProperty("peers.only", "").split(","));
        List<TargetFactory> peers = ServiceLoader.load(TargetFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(TargetFactory::peer)
                .filter(f -> only.equals(List.of("")) || only.contains(f.name()))
                .toList();
        Map<String, List<ScenarioRow>> columns = new LinkedHashMap<>();
        List<String> details = new ArrayList<>();
        for (TargetFactory factory : peers) {
            List<ScenarioRow> rows = new ArrayList<>();
            try (TckTarget target = factory.open()) {
                for (Scenario scenario : Scenarios.all()) {
                    ScenarioRow row;
                    try {
                        row = scenario.run(target, settings);
                    } catch (Exception e) {
                        row = ScenarioRow.crashed(scenario, target.name(), e);
                    }
                    System.out.println(row.describe().lines().findFirst().orElse(""));
                    rows.add(row);
                    if (!row.passed()) {
                        details.add(abbreviate(row.describe()));
                    }
                }
            }
            columns.put(factory.name(), rows);
        }
        System.out.println();
        System.out.println("settings: " + settings);
        System.out.println(render(columns));
        details.forEach(System.out::println);
        assertThat(columns.values())
                .allSatisfy(rows -> assertThat(rows).hasSize(Scenarios.all().size()));
    }

    /** Rows = scenarios, columns = peers; a cell is the verdict and the row's counts. */
    static String render(Map<String, List<ScenarioRow>> columns) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("| %-4s | %-32s |", "#", "scenario"));
        columns.keySet().forEach(name -> out.append(String.format(" %-24s |", name)));
        out.append(System.lineSeparator());
        int n = Scenarios.all().size();
        for (int i = 0; i < n; i++) {
            Scenario s = Scenarios.all().get(i);
            out.append(String.format("| %-4s | %-32s |", s.id(), s.title()));
            for (List<ScenarioRow> rows : columns.values()) {
                out.append(String.format(" %-24s |", cell(rows.get(i))));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String cell(ScenarioRow r) {
        if (r.skipped()) {
            return "SKIP";
        }
        return r.verdict() + " w" + r.winners() + " se" + r.sideEffects() + " lu" + r.lostUpdates() + " ov"
                + r.overlaps() + " ex" + r.uncaught();
    }

    private static String abbreviate(String text) {
        // Stack traces in violations can run for pages: keep each line short and the block bounded.
        return text.lines()
                .filter(l -> !l.stripLeading().startsWith("at "))
                .map(l -> l.length() > 400 ? l.substring(0, 400) + "…" : l)
                .limit(40)
                .reduce((a, b) -> a + System.lineSeparator() + b)
                .orElse("");
    }
}
