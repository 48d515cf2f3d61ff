package io.lockkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's snippet, kept compiling and true. */
class ReadmeExampleTest {
    @Test
    void snippetRuns() {
        try (Backend backend = LockKit.open("mem:readme?lease=timed")) {
            JobLock lock = backend.jobLock();
            VersionedUpdate store = backend.versionedUpdate();

            Optional<Lease> claim = lock.tryAcquire("job-42", Duration.ofSeconds(30));
            assertThat(claim).isPresent();
            assertThat(lock.tryAcquire("job-42", Duration.ofSeconds(30)))
                    .as("one winner")
                    .isEmpty();
            claim.ifPresent(lease -> {
                try (lease;
                        KeepAlive keepAlive = KeepAlive.start(lease, Duration.ofSeconds(30))) {
                    lease.onLost(l -> System.err.println("lost job-42, stopping"));
                    store.updater(RetryPolicy.ofDefaults())
                            .update("job-42/status", lease.token(), current -> Optional.of("DONE".getBytes(UTF_8)));
                }
            });

            store.updater(RetryPolicy.ofDefaults())
                    .update(
                            "visits",
                            current -> Optional.of(Long.toString(current.map(v -> Long.parseLong(v.valueAsString()) + 1)
                                            .orElse(1L))
                                    .getBytes(UTF_8)));

            assertThat(store.read("job-42/status").orElseThrow().valueAsString())
                    .isEqualTo("DONE");
            assertThat(store.read("visits").orElseThrow().valueAsString()).isEqualTo("1");
            assertThat(lock.tryAcquire("job-42", Duration.ofSeconds(1)))
                    .as("released")
                    .isPresent();
        }
    }
}
