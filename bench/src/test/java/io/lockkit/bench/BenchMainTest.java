package io.lockkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class BenchMainTest {
    @Test
    @DisplayName("smoke, as a word (CI's -Dbench.args=smoke) or --smoke, and every option, as Maven passes them")
    void arguments() {
        assertThat(BenchMain.parse().smoke()).isFalse();
        assertThat(BenchMain.parse("smoke").smoke()).isTrue();
        assertThat(BenchMain.parse("--smoke").smoke()).isTrue();
        BenchMain.Args all = BenchMain.parse("smoke --include=Floor.* --out=x --readme=../README.md --no-counter"
                + " --no-roundtrips --no-breakdown --no-idle --no-interleaved");
        assertThat(all.smoke()).isTrue();
        assertThat(all.include).isEqualTo("Floor.*");
        assertThat(all.out).isEqualTo(Path.of("x"));
        assertThat(all.readme).isEqualTo(Path.of("../README.md"));
        assertThat(all.noCounter && all.noRoundTrips && all.noBreakdown && all.noIdle && all.noInterleaved)
                .isTrue();
        BenchMain.Args none = BenchMain.parse("");
        assertThat(none.include).isEqualTo("io.lockkit.bench\\..*");
        assertThat(none.out).isNull();
        assertThat(none.noCounter || none.noRoundTrips || none.noBreakdown || none.noIdle || none.noInterleaved)
                .isFalse();
    }

    @Test
    @DisplayName("an unknown argument or a bad word is named")
    void badArguments() {
        assertThatThrownBy(() -> BenchMain.parse("--no-counters"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--no-counters'");
        assertThatThrownBy(() -> BenchMain.parse("fast"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'fast'")
                .hasMessageContaining("smoke");
    }

    @Test
    @DisplayName("the usage names every option")
    void usage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CommandLine(new BenchMain.Args()).usage(new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Usage: ./mvnw -B -q -Pbench -DskipTests verify -Dbench.args=")
                .contains(
                        "--smoke",
                        "--include=REGEX",
                        "--out=DIR",
                        "--readme=PATH",
                        "--no-counter",
                        "--no-roundtrips",
                        "--no-breakdown",
                        "--no-idle",
                        "--no-interleaved");
    }
}
