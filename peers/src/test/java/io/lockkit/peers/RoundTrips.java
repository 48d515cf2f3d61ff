package io.lockkit.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** One real round per peer: acquire, a contended tryAcquire from another client, release, acquire again. */
final class RoundTrips {
    private RoundTrips() {}

    static void round(TargetFactory factory) throws Exception {
        assertThat(factory.peer()).as("a peer factory").isTrue();
        try (TckTarget target = factory.open();
                Backend a = target.newClient();
                Backend b = target.newClient()) {
            assertThat(target.name()).isEqualTo(factory.name());
            String key = "peers-test/" + UUID.randomUUID() + "/round";
            Duration lease = Duration.ofSeconds(30);

            Lease held = a.jobLock().acquire(key, lease, Duration.ofSeconds(5)).orElseThrow();
            assertThat(held.isValid()).isTrue();
            assertThat(held.token()).isPositive();
            assertThat(held.remaining()).isPositive().isLessThanOrEqualTo(lease);

            Optional<Lease> contended = b.jobLock().tryAcquire(key, lease);
            contended.ifPresent(Lease::release);
            assertThat(contended)
                    .as("a second client's tryAcquire of a held key")
                    .isEmpty();

            assertThat(held.release()).as("release of the current lease").isTrue();
            assertThat(held.isValid()).isFalse();
            assertThat(held.release()).as("a second release").isFalse();

            Lease next = b.jobLock().acquire(key, lease, Duration.ofSeconds(5)).orElseThrow();
            assertThat(next.token()).isGreaterThan(held.token());
            assertThat(next.release()).isTrue();
        }
    }
}
