package io.lockkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.spi.Checks;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void keysAreOneTo256Utf8Bytes() {
        assertThat(Checks.key("a")).isEqualTo("a");
        assertThat(Checks.key("é".repeat(128))).hasSize(128); // 256 bytes
        assertThatThrownBy(() -> Checks.key("é".repeat(128) + "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257 UTF-8 bytes")
                .hasMessageContaining("256");
        assertThatThrownBy(() -> Checks.key("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Checks.key(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("key");
    }

    @Test
    void valuesUpTo512KiB() {
        assertThat(Checks.value(new byte[512 * 1024])).hasSize(512 * 1024);
        assertThatThrownBy(() -> Checks.value(new byte[512 * 1024 + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("524289 bytes");
    }

    @Test
    void leasesPositiveWaitsNotNegative() {
        assertThatThrownBy(() -> Checks.lease(Duration.ZERO)).hasMessageContaining("lease must be positive, was PT0S");
        assertThatThrownBy(() -> Checks.lease(Duration.ofMillis(-1))).hasMessageContaining("PT-0.001S");
        assertThat(Checks.maxWait(Duration.ZERO)).isZero();
        assertThatThrownBy(() -> Checks.maxWait(Duration.ofSeconds(-2))).hasMessageContaining("PT-2S");
        assertThatThrownBy(() -> Checks.expectedVersion(0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> Checks.fencingToken(-3)).hasMessageContaining("was -3");
    }

    @Test
    void keysMustBeWellFormedUtf16SoThatNoEncoderMergesThem() {
        assertThat(Checks.key("😀")).isEqualTo("😀"); // a surrogate pair is one code point
        for (String bad : new String[] {"\uD800", "a\uDC00", "x\uD83D", "\uDE00\uD83D"}) {
            assertThatThrownBy(() -> Checks.key(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unpaired surrogate")
                    .hasMessageContaining("index " + (bad.startsWith("x") || bad.startsWith("a") ? 1 : 0));
        }
    }

    @Test
    void leaseLimitsRefuseEverythingOutsideThemWithoutOverflowing() {
        LeaseLimits limits = LeaseLimits.forDriftMargin(Duration.ofMillis(100));
        assertThat(limits.shortest()).isEqualTo(Duration.ofMillis(200));
        assertThat(limits.longest()).isEqualTo(LeaseLimits.MAX);
        assertThat(LeaseLimits.forDriftMargin(Duration.ZERO).shortest()).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> limits.check(Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0.002S")
                .hasMessageContaining("PT0.2S");
        assertThatThrownBy(() -> limits.check(Duration.ofDays(365_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT8760000H");
        assertThatThrownBy(() -> limits.check(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> Checks.lease(Duration.ofDays(366))).hasMessageContaining("PT8784H");
        assertThatThrownBy(() -> Checks.driftMargin(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("driftMargin");
        assertThatThrownBy(() -> RetryPolicy.builder()
                        .maxDuration(Duration.ofDays(365_000))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDuration")
                .hasMessageContaining("PT8760000H");
    }
}
