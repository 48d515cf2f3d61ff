package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** L7 within one client: a release message wakes one waiter of its key, and is never swallowed. */
class ReleaseSignalsTest {
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LONG = TimeUnit.SECONDS.toNanos(10);

    @Test
    void aReleaseWakesOnlyTheFirstWaiterOfItsKey() throws Exception {
        ReleaseSignals signals = new ReleaseSignals();
        ReleaseSignals.Waiter first = signals.register("k");
        ReleaseSignals.Waiter second = signals.register("k");
        ReleaseSignals.Waiter otherKey = signals.register("other");
        signals.released("k");
        assertThat(first.await(LONG)).isTrue();
        assertThat(second.await(SHORT)).isFalse();
        assertThat(otherKey.await(SHORT)).isFalse();
    }

    /**
     * The first waiter takes the wake-up and then leaves before its attempt came back (it failed,
     * or the waiter was interrupted): the next waiter gets the wake-up, instead of sleeping until
     * the old holder's lease runs out while the key is free.
     */
    @Test
    void aWaiterThatLeavesWithAWakeUpItDidNotUsePassesItOn() throws Exception {
        ReleaseSignals signals = new ReleaseSignals();
        ReleaseSignals.Waiter first = signals.register("k");
        ReleaseSignals.Waiter second = signals.register("k");
        signals.released("k");
        assertThat(first.await(LONG)).isTrue();
        signals.unregister(first); // no attempt came back
        assertThat(second.await(LONG)).as("the wake-up passed on").isTrue();
    }

    /** A wake-up whose attempt came back was used (the key was taken, by it or by another): not passed on. */
    @Test
    void aWakeUpUsedByAnAttemptIsNotPassedOn() throws Exception {
        ReleaseSignals signals = new ReleaseSignals();
        ReleaseSignals.Waiter first = signals.register("k");
        ReleaseSignals.Waiter second = signals.register("k");
        signals.released("k");
        assertThat(first.await(LONG)).isTrue();
        first.attempted();
        signals.unregister(first);
        assertThat(second.await(SHORT)).isFalse();
    }

    /** After the subscription was down, every key's first waiter looks again. */
    @Test
    void wakeAllWakesTheFirstWaiterOfEveryKey() throws Exception {
        ReleaseSignals signals = new ReleaseSignals();
        ReleaseSignals.Waiter a = signals.register("a");
        ReleaseSignals.Waiter a2 = signals.register("a");
        ReleaseSignals.Waiter b = signals.register("b");
        signals.wakeAll();
        assertThat(a.await(LONG)).isTrue();
        assertThat(b.await(LONG)).isTrue();
        assertThat(a2.await(SHORT)).isFalse();
    }
}
