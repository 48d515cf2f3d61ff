package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.Scenarios;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ResultTable")
class ResultTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Scenario> TWO = List.of(Scenarios.byId("1"), Scenarios.byId("2a"));
    private static final RunInfo RUN = new RunInfo(
            Instant.parse("2026-12-01T22:00:00Z"),
            2,
            "17.0.15 (OpenJDK)",
            "Linux 6.1 (amd64)",
            Map.of("workers", "50"));

    @Test
    @DisplayName("renders rows whose id is not a given scenario, after the given ones, in order of first appearance")
    void unknownIds() {
        ResultTable table = new ResultTable(TWO);
        table.add("redis", Rows.pass("P2x8", "Double execution, 8 JVMs × 25", "redis"));
        table.add("redis", Rows.pass("1", "Exclusive claim", "redis"));
        table.add("zookeeper", Rows.pass("F1", "Pause (SIGSTOP)", "zookeeper"));
        table.add("zookeeper", Rows.pass("P2x8", "Double execution, 8 JVMs × 25", "zookeeper"));

        assertThat(table.rowIds()).extracting(ResultTable.RowId::id).containsExactly("1", "2a", "P2x8", "F1");
        String text = table.render();
        assertThat(text).contains("| P2x8 Double execution, 8 JVMs × 25 |", "| F1 Pause (SIGSTOP)");
        assertThat(text.indexOf("2a Double execution")).isLessThan(text.indexOf("P2x8"));
        assertThat(text.indexOf("P2x8")).isLessThan(text.indexOf("F1 Pause"));
        assertThat(line(text, "F1 Pause")).contains("| -", "pass 1/1/0/0/0 (100)");
    }

    @Test
    @DisplayName("prints peers after the lockkit backends, under their own header")
    void peersLast() {
        ResultTable table = new ResultTable(TWO);
        table.peer("shedlock/jdbc");
        table.add("shedlock/jdbc", Rows.pass("1", "Exclusive claim", "shedlock/jdbc"));
        table.add("mem/timed", Rows.pass("1", "Exclusive claim", "mem/timed"));

        assertThat(table.backends()).containsExactly("mem/timed", "shedlock/jdbc");
        String text = table.render();
        assertThat(text.indexOf(ResultTable.LOCKKIT_HEADER))
                .isLessThan(text.indexOf("mem/timed"))
                .isLessThan(text.indexOf(ResultTable.PEERS_HEADER));
        assertThat(text.indexOf(ResultTable.PEERS_HEADER)).isLessThan(text.indexOf("shedlock/jdbc"));
    }

    @Test
    @DisplayName("a failing peer does not fail the run, and says so")
    void failingPeerIgnored() {
        ResultTable table = new ResultTable(TWO);
        table.add("mem/timed", Rows.pass("1", "Exclusive claim", "mem/timed"));
        table.peer("naive/check-then-insert");
        table.add(
                "naive/check-then-insert",
                Rows.fail("1", "Exclusive claim", "naive/check-then-insert", "L1 two winners"));

        assertThat(table.anyFailed()).isFalse();
        assertThat(table.render())
                .contains("fails (peer, reported as measured) peer naive/check-then-insert scenario 1: L1 two winners")
                .doesNotContain("FAILED");
    }

    @Test
    @DisplayName("a failing lockkit backend fails the run, also next to a passing peer")
    void failingLockkitBackend() {
        ResultTable table = new ResultTable(TWO);
        table.peer("redisson/rlock");
        table.add("redisson/rlock", Rows.pass("1", "Exclusive claim", "redisson/rlock"));
        table.add("redis", Rows.fail("2a", "Double execution", "redis", "L1 side effect ran 2 times"));

        assertThat(table.anyFailed()).isTrue();
        assertThat(table.render()).contains("FAILED redis scenario 2a: L1 side effect ran 2 times");
    }

    @Test
    @DisplayName("a skipped row is not a failure")
    void skipIsNotFailure() {
        ResultTable table = new ResultTable(TWO);
        table.add(
                "mem/timed",
                Rows.skip("P2x8", "Double execution, 8 JVMs × 25", "mem/timed", "mem cannot cross processes"));

        assertThat(table.anyFailed()).isFalse();
        assertThat(table.render()).contains("skipped mem/timed scenario P2x8: mem cannot cross processes");
    }

    @Test
    @DisplayName("prints thirteen backends in blocks of at most six columns, every row in every block")
    void blocks() {
        ResultTable table = new ResultTable(TWO);
        List<String> lockkit =
                IntStream.range(0, 7).mapToObj(i -> "backend" + i).toList();
        List<String> peers = IntStream.range(0, 6).mapToObj(i -> "peer" + i).toList();
        lockkit.forEach(b -> table.add(b, Rows.pass("1", "Exclusive claim", b)));
        peers.forEach(b -> {
            table.peer(b);
            table.add(b, Rows.pass("1", "Exclusive claim", b));
        });

        String text = table.render();
        List<String> headers =
                text.lines().filter(l -> l.startsWith("| scenario")).toList();
        assertThat(headers).hasSize(3);
        assertThat(headers)
                .allSatisfy(h -> assertThat(h.split("\\|")).hasSizeLessThanOrEqualTo(1 + 1 + ResultTable.MAX_COLUMNS));
        assertThat(text.lines().filter(l -> l.startsWith("| 1 Exclusive claim")))
                .hasSize(3);
        assertThat(text).contains(ResultTable.LOCKKIT_HEADER + " (1/2)", ResultTable.LOCKKIT_HEADER + " (2/2)");
        assertThat(text.indexOf("backend6")).isLessThan(text.indexOf(ResultTable.PEERS_HEADER));
    }

    @Test
    @DisplayName("writes well-formed JSON with peer, handoff and every row, escaping quotes and newlines")
    void json() throws Exception {
        ResultTable table = new ResultTable(TWO);
        table.add("mem/timed", Rows.fail("1", "Exclusive claim", "mem/timed", "L1 \"two\" winners\nand a tab\t"));
        table.handoff("mem/timed", Rows.handoff(40, 900));
        table.peer("shedlock/jdbc");
        table.add("shedlock/jdbc", Rows.pass("F1", "Pause (SIGSTOP)", "shedlock/jdbc"));
        table.handoff("shedlock/jdbc", Handoff.Result.skipped("release returned false"));

        JsonNode root = JSON.readTree(table.json(RUN));

        assertThat(fields(root)).containsExactly("run", "scenarios", "backends", "anyFailed");
        assertThat(root.get("anyFailed").isBoolean()).isTrue();
        assertThat(root.get("anyFailed").booleanValue()).isTrue();
        JsonNode run = root.get("run");
        assertThat(fields(run)).containsExactly("date", "cores", "java", "os", "options");
        assertThat(run.get("date").textValue()).isEqualTo("2026-12-01T22:00:00Z");
        assertThat(run.get("cores").isIntegralNumber()).isTrue();
        assertThat(run.get("cores").intValue()).isEqualTo(2);
        assertThat(run.get("options").get("workers").textValue()).isEqualTo("50");
        assertThat(root.get("scenarios").findValuesAsText("id")).containsExactly("1", "2a", "F1");
        assertThat(fields(root.get("scenarios").get(0))).containsExactly("id", "title");
        JsonNode backends = root.get("backends");
        assertThat(backends.findValuesAsText("name")).containsExactly("mem/timed", "shedlock/jdbc");
        assertThat(fields(backends.get(0))).containsExactly("name", "peer", "handoff", "rows");
        assertThat(backends.get(0).get("peer").booleanValue()).isFalse();
        assertThat(backends.get(1).get("peer").booleanValue()).isTrue();
        JsonNode handoff = backends.get(0).get("handoff");
        assertThat(fields(handoff))
                .containsExactly("count", "p50Micros", "p90Micros", "p99Micros", "maxMicros", "skipReason");
        assertThat(handoff.get("p50Micros").longValue()).isEqualTo(40);
        assertThat(handoff.get("p99Micros").longValue()).isEqualTo(900);
        assertThat(handoff.get("count").intValue()).isEqualTo(100);
        assertThat(handoff.get("skipReason").isNull()).isTrue();
        assertThat(backends.get(1).get("handoff").get("skipReason").textValue()).isEqualTo("release returned false");
        JsonNode row = backends.get(0).get("rows").get(0);
        assertThat(fields(row))
                .containsExactly(
                        "scenario",
                        "title",
                        "result",
                        "workers",
                        "winners",
                        "sideEffects",
                        "lostUpdates",
                        "overlaps",
                        "uncaught",
                        "millis",
                        "violations",
                        "notes",
                        "skipReason");
        assertThat(row.get("result").textValue()).isEqualTo("fail");
        assertThat(row.get("lostUpdates").longValue()).isEqualTo(3);
        assertThat(row.get("millis").longValue()).isEqualTo(40);
        assertThat(row.get("violations")).hasSize(1);
        assertThat(row.get("violations").get(0).textValue()).isEqualTo("L1 \"two\" winners\nand a tab\t");
        assertThat(row.get("notes").get(0).textValue()).isEqualTo("seed 42");
        assertThat(row.get("skipReason").isNull()).isTrue();
    }

    @Test
    @DisplayName("an empty table renders and writes valid JSON")
    void empty() throws Exception {
        ResultTable table = new ResultTable(List.of());
        assertThat(table.render()).isEqualTo("no results\n");
        JsonNode root = JSON.readTree(table.json(RUN));
        assertThat(root.get("backends").isArray()).isTrue();
        assertThat(root.get("backends")).isEmpty();
        assertThat(root.get("anyFailed").booleanValue()).isFalse();
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String line(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).findFirst().orElseThrow();
    }
}
