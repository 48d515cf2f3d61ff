package io.lockkit.tck.selftest;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The two kits, run by {@link BrokenBackendsTest} through the JUnit launcher against whichever
 * broken backend it sets. Not named like a test, so Surefire never runs them on their own.
 */
final class BrokenKits {
    /** Small enough to run the kits seven times; the defects show at any size. */
    static final TckSettings SETTINGS = TckSettings.defaults()
            .withWorkers(20)
            .withIncrements(5)
            .withFuzz(Duration.ofMillis(1000))
            .withShortLease(Duration.ofMillis(300))
            // a guard of 10 s (mem answers in µs): the defects that never wake a waiter or never report
            // a loss run into it
            .withDeadline(Duration.ofSeconds(10));

    static volatile Supplier<TckTarget> target = () -> {
        throw new IllegalStateException("run through BrokenBackendsTest");
    };

    private BrokenKits() {}

    static class JobLock extends JobLockTck {
        @Override
        protected TckTarget createTarget() {
            return target.get();
        }

        @Override
        protected TckSettings settings() {
            return SETTINGS;
        }
    }

    static class Versioned extends VersionedUpdateTck {
        @Override
        protected TckTarget createTarget() {
            return target.get();
        }

        @Override
        protected TckSettings settings() {
            return SETTINGS;
        }
    }
}
