package io.lockkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LeaseLimits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
            super(
                    "k",
                    7,
                    now::get,
                    sent,
                    lease,
                    lease.dividedBy(10),
                    new LeaseLimits(Duration.ofNanos(1), LeaseLimits.MAX));
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
    void aReleaseThatFailedOnTheStoreNeverBringsTheLeaseBackAndCanBeRetried() {
        Scripted lease = new Scripted(now.get(), Duration.ofSeconds(10));
        List<Object> lost = new CopyOnWriteArrayList<>();
        lease.onLost(lost::add);
        storeUp.set(false);
        assertThatThrownBy(lease::release).isInstanceOf(BackendUnavailableException.class);
        assertThat(lease.isValid())
                .as("given up for ever: the release may have reached the store and freed the key (L5)")
                .isFalse();
        assertThat(lease.remaining()).isZero();
        assertThat(lease.extend(Duration.ofSeconds(10)))
                .as("a released lease cannot be extended")
                .isFalse();
        storeUp.set(true);
        assertThat(lease.release())
                .as("the retry reaches the store and frees the still-current lease")
                .isTrue();
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.release()).as("idempotent once it went through").isFalse();
        assertThat(releases).hasValue(1);
        assertThat(lost).as("onLost never fires after release").isEmpty();
    }

    @Test
    void aRetriedReleaseAfterTheDeadlineReportsFalse() {
        Scripted lease = new Scripted(now.get(), Duration.ofNanos(100));
        storeUp.set(false);
        assertThatThrownBy(lease::release).isInstanceOf(BackendUnavailableException.class);
        now.addAndGet(1_000);
        storeUp.set(true);
        assertThat(lease.release())
                .as("the lease was no longer current when the retry went through")
                .isFalse();
        assertThat(releases).as("the owner-checked delete was still sent").hasValue(1);
    }

    @Test
    void extendRefusesADurationOutsideTheLimitsBeforeSending() {
        Scripted lease = new Scripted(now.get(), Duration.ofSeconds(10));
        assertThatThrownBy(() -> lease.extend(Duration.ofDays(365_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT8760000H");
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.remaining()).isEqualTo(Duration.ofSeconds(9));
    }
}
