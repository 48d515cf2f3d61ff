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
}
