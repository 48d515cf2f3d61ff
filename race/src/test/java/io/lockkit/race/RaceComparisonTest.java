package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RaceComparison")
class RaceComparisonTest {
    @Test
    @DisplayName("reports every unknown argument")
    void unknownArguments() {
        assertThatThrownBy(() -> RaceComparison.parse(new String[] {"--bogus=1 --workers=10 -x"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bogus=1")
                .hasMessageContaining("-x")
                .hasMessageContaining("--handoffs=");
    }

    @Test
    @DisplayName("--duration sets the fuzz duration; it and --fuzzMillis together are an error")
    void duration() {
        assertThat(RaceComparison.parse(new String[] {"--duration=5s"})).containsEntry("fuzzMillis", "5000");
        assertThat(RaceComparison.duration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(RaceComparison.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(RaceComparison.duration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
        assertThat(RaceComparison.duration("0.5s")).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> RaceComparison.parse(new String[] {"--duration=5s --fuzzMillis=100"}))
                .hasMessageContaining("give one");
        assertThatThrownBy(() -> RaceComparison.parse(new String[] {"--duration=soon"}))
                .hasMessageContaining("--duration=soon is not a duration");
        assertThatThrownBy(() -> RaceComparison.parse(new String[] {"--duration=0s"}))
                .hasMessageContaining("must be positive");
    }

    @Test
    @DisplayName("rejects bad values, naming each")
    void badValues() {
        assertThatThrownBy(() -> RaceComparison.parse(new String[] {"--handoffs=-1 --workers=many"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--handoffs=-1")
                .hasMessageContaining("lockkit.tck.workers=many");
    }

    @Test
    @DisplayName("a short run on mem writes results.json and results.html and passes")
    void shortRun(@TempDir Path dir) throws Exception {
        Map<String, String> opts = RaceComparison.parse(new String[] {
            "--backends=mem/timed,mem/session," + PeerForTests.NAME
                    + " --scenarios=1,5 --workers=10 --increments=5 --handoffs=5 --out=" + dir
        });
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
        assertThat(MiniJson.parse(Files.readString(dir.resolve("results.json"))))
                .isInstanceOf(Map.class);
        assertThat(Files.readString(dir.resolve("results.html"))).contains("mem/timed", "mem/session", "<svg ");
        assertThat(text).contains(dir.resolve("results.html").toAbsolutePath().toString());
    }
}
