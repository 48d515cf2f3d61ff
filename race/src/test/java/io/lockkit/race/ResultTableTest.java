package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.Scenario;
import io.lockkit.tck.Scenarios;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ResultTable")
class ResultTableTest {
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
    @SuppressWarnings("unchecked")
    void json() {
        ResultTable table = new ResultTable(TWO);
        table.add("mem/timed", Rows.fail("1", "Exclusive claim", "mem/timed", "L1 \"two\" winners\nand a tab\t"));
        table.handoff("mem/timed", Rows.handoff(40, 900));
        table.peer("shedlock/jdbc");
        table.add("shedlock/jdbc", Rows.pass("F1", "Pause (SIGSTOP)", "shedlock/jdbc"));
        table.handoff("shedlock/jdbc", Handoff.Result.skipped("release returned false"));

        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(table.json(RUN));

        assertThat(root).containsEntry("anyFailed", true);
        Map<String, Object> run = (Map<String, Object>) root.get("run");
        assertThat(run).containsEntry("date", "2026-12-01T22:00:00Z").containsEntry("cores", 2L);
        assertThat((List<Map<String, Object>>) root.get("scenarios"))
                .extracting(m -> m.get("id"))
                .containsExactly("1", "2a", "F1");
        List<Map<String, Object>> backends = (List<Map<String, Object>>) root.get("backends");
        assertThat(backends).extracting(m -> m.get("name")).containsExactly("mem/timed", "shedlock/jdbc");
        assertThat(backends).extracting(m -> m.get("peer")).containsExactly(false, true);
        Map<String, Object> handoff = (Map<String, Object>) backends.get(0).get("handoff");
        assertThat(handoff)
                .containsEntry("p50Micros", 40L)
                .containsEntry("p99Micros", 900L)
                .containsEntry("count", 100L);
        assertThat((Map<String, Object>) backends.get(1).get("handoff"))
                .containsEntry("skipReason", "release returned false");
        Map<String, Object> row = ((List<Map<String, Object>>) backends.get(0).get("rows")).get(0);
        assertThat(row).containsEntry("result", "fail").containsEntry("lostUpdates", 3L);
        assertThat((List<Object>) row.get("violations")).containsExactly("L1 \"two\" winners\nand a tab\t");
    }

    @Test
    @DisplayName("an empty table renders and writes valid JSON")
    void empty() {
        ResultTable table = new ResultTable(List.of());
        assertThat(table.render()).isEqualTo("no results\n");
        assertThat(MiniJson.parse(table.json(RUN))).isInstanceOf(Map.class);
    }

    private static String line(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).findFirst().orElseThrow();
    }
}
