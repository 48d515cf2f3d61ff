package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.postgresql.PostgresBackend.Variant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SmokeTest {
    @ParameterizedTest
    @EnumSource(Variant.class)
    void acquireReleaseAndVersions(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            PostgresBackend b = f.client(variant);
            Lease lease =
                    a.jobLock().tryAcquire("k\u0000ey", Duration.ofSeconds(5)).orElseThrow();
            assertThat(lease.isValid()).isTrue();
            assertThat(b.jobLock().tryAcquire("k\u0000ey", Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(a.jobLock().tryAcquire("k\u0000ey", Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(lease.extend(Duration.ofSeconds(5))).isTrue();
            assertThat(lease.release()).isTrue();
            assertThat(lease.release()).isFalse();
            Lease next = b.jobLock()
                    .acquire("k\u0000ey", Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .orElseThrow();
            assertThat(next.token()).isGreaterThan(lease.token());
            next.release();

            Versioned v1 = a.versionedUpdate().create("v", bytes("one")).orElseThrow();
            assertThat(v1.version()).isEqualTo(1);
            assertThat(a.versionedUpdate().create("v", bytes("two"))).isEmpty();
            Versioned v2 =
                    a.versionedUpdate().compareAndSet("v", 1, bytes("two")).orElseThrow();
            assertThat(b.versionedUpdate().compareAndSet("v", 1, bytes("x"))).isEmpty();
            Optional<Versioned> read = b.versionedUpdate().read("v");
            assertThat(read).contains(v2);
            assertThat(b.versionedUpdate().delete("v", 2)).isTrue();
            assertThat(b.versionedUpdate().read("v")).isEmpty();
            assertThat(a.versionedUpdate()
                            .create("v", bytes("three"))
                            .orElseThrow()
                            .version())
                    .isEqualTo(3);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
