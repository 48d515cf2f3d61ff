package io.lockkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The backend-independent lease logic, on an injected clock and a scripted store. */
class AbstractLeaseTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicBoolean storeUp = new AtomicBoolean(true);
    private final AtomicInteger releases = new AtomicInteger();

    /** A store that keeps a lease for what was asked, with a margin of a tenth of the lease. */
    private final class Scripted extends AbstractLease {
        Scripted(long sent, Duration lease) {
            super("k", 7, now::get, sent, lease, lease.dividedBy(10));
        }

        @Override
        protected Duration margin(Duration lease) {
            return lease.dividedBy(10);
        }

        @Override
        protected boolean doExtend(Duration lease) {
            return true;
        }

        @Override
        protected boolean doRelease() {
            if (!storeUp.get()) {
                throw new BackendUnavailableException("store down");
            }
            releases.incrementAndGet();
            return true;
        }
    }

    @Test
    void extendRecomputesTheMarginForTheNewLength() {
        Scripted lease = new Scripted(now.get(), Duration.ofNanos(100));
        assertThat(lease.remaining()).isEqualTo(Duration.ofNanos(90));
        assertThat(lease.extend(Duration.ofNanos(1_000))).isTrue();
        assertThat(lease.remaining()).isEqualTo(Duration.ofNanos(900));
    }

    @Test
    void aReleaseThatFailedOnTheStoreCanBeRetried() {
        Scripted lease = new Scripted(now.get(), Duration.ofSeconds(10));
        storeUp.set(false);
        assertThatThrownBy(lease::release).isInstanceOf(BackendUnavailableException.class);
        assertThat(lease.isValid())
                .as("still ours: the store never heard the release")
                .isTrue();
        storeUp.set(true);
        assertThat(lease.release()).isTrue();
        assertThat(lease.release()).as("idempotent once it went through").isFalse();
        assertThat(releases).hasValue(1);
    }
}
