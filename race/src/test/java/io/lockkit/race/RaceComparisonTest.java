package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

@DisplayName("RaceComparison")
class RaceComparisonTest {
    /** What {@link RaceComparison#execute} returned and printed. */
    private record Outcome(int status, String out, String err) {}

    private static Outcome execute(String args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RaceComparison.execute(
                new String[] {args},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("reports every unknown argument, then the usage, with exit status 2")
    void unknownArguments() throws Exception {
        assertThatThrownBy(() -> RaceOptions.parse("--bogus=1 --workers=10 -x"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--bogus=1'")
                .hasMessageContaining("'-x'");

        Outcome o = execute("--worker=5 --bogus=1 --workers=10 -x");

        assertThat(o.status()).isEqualTo(2);
        assertThat(o.out()).isEmpty();
        assertThat(o.err())
                .contains("race: Unknown options: '--worker=5', '--bogus=1', '-x'")
                .contains("did you mean --workers")
                .contains("Usage: ./mvnw -B -q -Prace -DskipTests verify -Drace.args=")
                .contains("--handoffs=N");
    }

    @Test
    @DisplayName("--help prints the usage, every option with its default, and exits 0 without running")
    void help() throws Exception {
        Outcome o = execute("--help --bogus");

        assertThat(o.status()).isZero();
        assertThat(o.err()).isEmpty();
        assertThat(o.out())
                .startsWith("Usage: ./mvnw -B -q -Prace -DskipTests verify -Drace.args=\"[OPTION]...\"")
                .contains(
                        "--backends=NAME",
                        "--scenarios=ID",
                        "--out=DIR",
                        "--handoffs=N",
                        "--duration=DURATION",
                        "--workers=N",
                        "--clients=K",
                        "--increments=M",
                        "--fuzzMillis=T",
                        "--shortLeaseMillis=L",
                        "--deadlineSeconds=S",
                        "--processes=N[,N...]|none",
                        "--faults=FAULT[,FAULT...]|none",
                        "--processWorkers=N",
                        "--soak=DURATION|none",
                        "--soakProcesses=N[,N...]",
                        "--soakWorkers=N")
                .contains("PT1.5S");
        assertThat(o.out().replaceAll("\\s+", " "))
                .contains(
                        "--out=DIR Where results.json and results.html go (default: race-results)",
                        "--handoffs=N Handoff rounds per column; 0 = off (default: 100)",
                        "(default: 4,8)",
                        "(default: pause,crash,connection)",
                        "(default: none)");
    }

    @Test
    @DisplayName("--duration sets the fuzz duration in lockkit's grammar; it and --fuzzMillis together are an error")
    void duration() {
        assertThat(RaceOptions.parse("--duration=5s").settings()).containsEntry("fuzzMillis", "5000");
        assertThat(RaceOptions.parse("--duration=1500ms").duration).isEqualTo(Duration.ofMillis(1500));
        assertThat(RaceOptions.parse("--duration=2m").duration).isEqualTo(Duration.ofMinutes(2));
        assertThat(RaceOptions.parse("--duration=PT0.5S").settings()).containsEntry("fuzzMillis", "500");
        assertThatThrownBy(() -> RaceOptions.parse("--duration=5s --fuzzMillis=100"))
                .hasMessageContaining("--duration=5s and --fuzzMillis=100")
                .hasMessageContaining("give one");
        assertThatThrownBy(() -> RaceOptions.parse("--duration=soon"))
                .hasMessageContaining("Invalid value for option '--duration': 'soon' is not a duration");
        assertThatThrownBy(() -> RaceOptions.parse("--duration=0.5s"))
                .as("fractions only in ISO-8601 (PT0.5S)")
                .hasMessageContaining("'0.5s' is not a duration");
        assertThatThrownBy(() -> RaceOptions.parse("--duration=0s")).hasMessageContaining("'0s' must be positive");
    }

    @Test
    @DisplayName("rejects bad values, naming each, all at once")
    void badValues() {
        assertThatThrownBy(() -> RaceOptions.parse("--handoffs=-1 --workers=many --clients=0 --processWorkers=x"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--handoffs': -1 is not a whole number ≥ 0")
                .hasMessageContaining("Invalid value for option '--workers': 'many' is not an int")
                .hasMessageContaining("clients must be ≥ 1, was 0")
                .hasMessageContaining("Invalid value for option '--processWorkers': 'x' is not an int");
    }

    @Test
    @DisplayName("bad values are printed one per line, then the usage, with exit status 2")
    void badValuesExit() throws Exception {
        Outcome o = execute("--handoffs=-1 --soak=soon");

        assertThat(o.status()).isEqualTo(2);
        assertThat(o.err().lines().filter(l -> l.startsWith("race: ")))
                .containsExactly(
                        "race: Invalid value for option '--soak': 'soon' is not a duration (expected e.g. 500ms, 5s,"
                                + " 2m or PT1.5S)",
                        "race: Invalid value for option '--handoffs': -1 is not a whole number ≥ 0");
        assertThat(o.err()).contains("Usage: ");
    }

    @Test
    @DisplayName("the arguments CI runs parse")
    void ciArguments() {
        RaceOptions race = RaceOptions.parse("--workers=50 --fuzzMillis=1000 --handoffs=20 --processes=2"
                + " --processWorkers=10 --faults=pause,crash --deadlineSeconds=60 --out=target/race-results");
        assertThat(race.procPlan().rowIds()).containsExactly("P1x2", "P2x2", "F1", "F2");
        assertThat(race.settings())
                .containsEntry("workers", "50")
                .containsEntry("fuzzMillis", "1000")
                .containsEntry("deadlineSeconds", "60");
        assertThat(race.out).isEqualTo(Path.of("target/race-results"));
        RaceOptions soak = RaceOptions.parse("--scenarios=none --processes=none --faults=none --handoffs=0 --soak=6s"
                + " --soakProcesses=2 --soakWorkers=4 --out=target/soak-results");
        assertThat(soak.procPlan().rowIds()).isEmpty();
        assertThat(soak.soakPlan().orElseThrow().toString()).isEqualTo("6000ms × [2] JVMs × 4 workers");
        assertThat(soak.handoffs).isZero();
    }

    @Test
    @DisplayName("a short run on mem writes results.json and results.html and passes")
    void shortRun(@TempDir Path dir) throws Exception {
        RaceOptions opts = RaceOptions.parse("--backends=mem/timed,mem/session," + PeerForTests.NAME
                + " --scenarios=1,5 --workers=10 --increments=5 --handoffs=5 --out=" + dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        int status = RaceComparison.run(
                opts,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8));

        String text = out.toString(StandardCharsets.UTF_8);
        String steps = progress.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isZero();
        assertThat(steps).contains("== opening mem/timed", "[1/9] mem/timed scenario 1", "[6/9] mem/session handoff");
        assertThat(steps)
                .contains("== opening " + PeerForTests.NAME + " (peer)", "[9/9] " + PeerForTests.NAME + " handoff");
        assertThat(steps).containsPattern("pass \\(\\d+\\.\\d s\\)");
        assertThat(text).contains("| 1 Exclusive claim", "| 5 Lost updates", ResultTable.HANDOFF_ROW);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.path("backends").findValuesAsText("name"))
                .containsExactly("mem/timed", "mem/session", PeerForTests.NAME);
        assertThat(json.path("run").path("options").path("backends").asText())
                .isEqualTo("mem/timed,mem/session," + PeerForTests.NAME);
        assertThat(json.path("anyFailed").asBoolean(true)).isFalse();
        assertThat(Files.readString(dir.resolve("results.html"))).contains("mem/timed", "mem/session", "<svg ");
        assertThat(text).contains(dir.resolve("results.html").toAbsolutePath().toString());
    }
}
