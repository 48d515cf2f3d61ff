package io.lockkit.tck;

import org.junit.jupiter.api.TestInfo;

/**
 * The table of contents of {@link JobLockTck}: every test of the kit, grouped as the kit groups them,
 * each with the rules it checks (its name starts with them, see {@link Rule#ofTestName}) and where
 * to look when it fails. The kit implements every method here with {@code @Override}, so the
 * compiler keeps this list and the kit equal.
 */
public interface JobLockRules extends FixtureRules {
    /** L1 exclusion, L6 graceful contention. */
    interface Exclusion {
        /**
         * L1: a held key is not granted to another client.
         *
         * <p>Rules: L1 L6. If this fails, look at: the acquire statement/script: does it check for a live holder atomically? Is a held key reported as empty rather than an exception?
         */
        void l1_exclusion_aHeldKeyIsNotGrantedToAnotherClient() throws Exception;

        /**
         * L1: leases are not reentrant, not even on the same client.
         *
         * <p>Rules: L1. If this fails, look at: owner identity: a lock owned "by this client/thread/host" is reentrant; the owner must be the lease (a fresh id per grant).
         */
        void l1_exclusion_leasesAreNotReentrantEvenOnTheSameClient() throws Exception;

        /**
         * L1: acquire with a zero maxWait on a held key is one attempt, and empty.
         *
         * <p>Rules: L1 L7. If this fails, look at: {@code acquire(…, PT0S)} must be one attempt, not a wait or an error.
         */
        void l1_exclusion_zeroMaxWaitOnAHeldKeyIsOneEmptyAttempt() throws Exception;

        /**
         * L1: different keys do not exclude each other.
         *
         * <p>Rules: L1. If this fails, look at: key encoding: two random keys meeting in one lock. Names built to collide in a 32-bit hash are tried by {@code e1_anyKeyOf1To256Utf8BytesIsAccepted} (INCIDENTS.md row 22).
         */
        void l1_exclusion_differentKeysDoNotExcludeEachOther() throws Exception;

        /**
         * L1: an acquire whose reply comes after its client closed hands out no lease valid beside another holder.
         *
         * <p>Rules: L1. If this fails, look at: {@code close()} with an acquire in flight: a session backend's close ends the session that holds the lock, so the grant that arrives afterwards must be refused or handed out already invalid (INCIDENTS.md row 42).
         */
        void l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease(TestInfo test) throws Exception;

        /**
         * scenario 1: of N workers claiming one job at once, 1 wins and the others get empty.
         *
         * <p>Rules: L1 L6. If this fails, look at: several winners: check-then-insert, acquire inside the caller's transaction, JVM-clock expiry; exceptions: duplicate-key (23505), 40001 or 40P01 not mapped to empty.
         */
        void scenario01_exclusiveClaim() throws Exception;

        /**
         * scenario 2a: losers retrying from stale copies never run the side effect twice.
         *
         * <p>Rules: L1 L6 V1. If this fails, look at: the side effect ran twice: two holders at once (overlaps &gt; 0) or a stale copy applied after release; "gave up": a waiter never woken after release (L7); "fenced out"/"write rejected": another holder wrote while this one held the lock.
         */
        void scenario02a_doubleExecution() throws Exception;

        /**
         * scenario 2b: the same with twice the workers.
         *
         * <p>Rules: L1 L6 V1. If this fails, look at: as 2a, under more contention: connection-pool exhaustion, lost wake-ups, herd wake-ups.
         */
        void scenario02b_doubleExecutionWithTwiceTheWorkers() throws Exception;

        /**
         * scenario 11: random keys, leases and hold times never give two overlapping sections.
         *
         * <p>Rules: L1 L3 L4. If this fails, look at: overlaps: expiry decided on the client's clock, a sweep that deletes live leases, a release or extend that is not owner-checked, an extend that resurrects an expired lease. The seed is printed in the notes.
         */
        void scenario11_fuzz() throws Exception;
    }

    /** L2 fencing tokens. */
    interface Fencing {
        /**
         * L2: tokens strictly increase across keys, clients and releases.
         *
         * <p>Rules: L2. If this fails, look at: tokens per key, or reset when a key is freed (INCIDENTS.md row 7); a sequence with {@code CACHE > 1} (INCIDENTS.md row 20).
         */
        void l2_tokensStrictlyIncreaseAcrossKeysAndReleases() throws Exception;

        /**
         * L2: tokens strictly increase across client restarts.
         *
         * <p>Rules: L2. If this fails, look at: a token counter kept in the client instead of the store.
         */
        void l2_tokensStrictlyIncreaseAcrossClientRestarts() throws Exception;

        /**
         * L2: concurrent grants on different keys get distinct tokens, all above earlier ones.
         *
         * <p>Rules: L2. If this fails, look at: a non-atomic "read max, add one" token; per-connection sequence caches.
         */
        void l2_concurrentGrantsOnDifferentKeysGetDistinctIncreasingTokens() throws Exception;

        /**
         * L2: a grant after a wait is ordered after every grant made while it waited.
         *
         * <p>Rules: L2. If this fails, look at: a token taken when the wait began (a queue node's creation id) instead of at the grant.
         */
        void l2_grantAfterWaitIsOrderedAfterGrantsMadeWhileWaiting() throws Exception;

        /**
         * L2: a grant after a wait inside the store (on the key's record) is ordered after every grant made meanwhile.
         *
         * <p>Rules: L2. If this fails, look at: a token drawn when the request reached the store (in the statement's VALUES) instead of under the key's record lock, after the wait (INCIDENTS.md row 36).
         */
        void l2_grantAfterAWaitInsideTheStoreIsOrderedAfterGrantsMadeMeanwhile(TestInfo test) throws Exception;

        /**
         * L2: after a store restart every grant has a larger token than every grant before it.
         *
         * <p>Rules: L2 L1. If this fails, look at: a token counter the store loses on restart (a Redis key without persistence, a sequence on a standby that is behind); with {@code DATA_SURVIVES_STORE_RESTART}, a timed lease lost in the restart.
         */
        void l2_tokensKeepIncreasingAcrossAStoreRestart(TestInfo test) throws Exception;

        /**
         * L2: after the store is killed and starts again, every grant has a larger token than every grant before.
         *
         * <p>Rules: L2. If this fails, look at: a token handed out before the store made it durable (a sequence value drawn in a transaction that has not committed, or whose commit was not flushed: {@code synchronous_commit = off}, or a value covered by another session's log record that was not flushed yet).
         */
        void l2_tokensKeepIncreasingAcrossAStoreCrash(TestInfo test) throws Exception;

        /**
         * scenario 8: a zombie holder is fenced out, and its release frees nothing.
         *
         * <p>Rules: L2 L3 V3 L5. If this fails, look at: the violation's rule: L2 — B's token not above A's; V3 — the fenced write accepted (no fence, or fence lost on delete) or returned empty instead of {@code FencedOutException}; L3 — the zombie's release/extend returned true or freed B's lock (unconditional delete, owner = hostname); L5 — a timed lease never became invalid.
         */
        void scenario08_zombieHolder() throws Exception;
    }

    /** L3 ownership. */
    interface Ownership {
        /**
         * L3: release is idempotent and never frees the next holder.
         *
         * <p>Rules: L3. If this fails, look at: {@code release} must delete only *this* lease (owner id + token), return false the second time, and never touch a newer holder.
         */
        void l3_releaseIsIdempotentAndNeverFreesTheNextHolder() throws Exception;

        /**
         * L3: extend keeps a current lease beyond its first duration.
         *
         * <p>Rules: L3 L1. If this fails, look at: the extend statement: does it set the new expiry from the store's clock and check the owner? Aborted (not failed) if the machine paused longer than the lease before extend.
         */
        void l3_extendKeepsACurrentLeaseBeyondItsFirstDuration() throws Exception;

        /**
         * L3: close() releases the lease.
         *
         * <p>Rules: L3. If this fails, look at: {@code Lease.close()} must release.
         */
        void l3_closeReleasesTheLease() throws Exception;
    }

    /** L4 expiry, L5 validity. */
    interface Expiry {
        /**
         * L5: a held lease is valid with time remaining; a released one is not.
         *
         * <p>Rules: L5. If this fails, look at: {@code isValid()}/{@code remaining()} of a fresh and of a released lease.
         */
        void l5_isValidWithTimeRemainingWhileHeld() throws Exception;

        /**
         * L5: isValid() is false from the deadline on and never true again.
         *
         * <p>Rules: L5 L3 L4. If this fails, look at: timed: the deadline must count from when the acquire was *sent* (not when it returned) minus the drift margin; session: a killed connection must mark the lease lost and call {@code onLost}; an extend after expiry must not revive it.
         */
        void l5_isValidFalseFromDeadlineAndNeverTrueAgain(TestInfo test) throws Exception;

        /**
         * L5: a release whose reply was lost leaves the lease invalid for ever; a retry frees no one else.
         *
         * <p>Rules: L5 L3. If this fails, look at: a failed {@code release()} that puts the lease back (valid again while the store may already have freed the key); a retried release that is not owner-checked; {@code onLost} called after release.
         */
        void l5_aReleaseWhoseReplyWasLostNeverBringsTheLeaseBack(TestInfo test) throws Exception;

        /**
         * L5: the deadline counts from when the request was sent, not from when its reply came.
         *
         * <p>Rules: L5. If this fails, look at: the deadline computed when the reply arrived ({@code now + lease} after the call) instead of from the send time read before it.
         */
        void l5_theDeadlineCountsFromTheSendNotTheReply(TestInfo test) throws Exception;

        /**
         * scenario 9: a crashed holder's lock is free by its deadline, with no clean-up job.
         *
         * <p>Rules: L4 L7 L1. If this fails, look at: the waiter never got the lock: expiry needs a clean-up job or a sweep; a waiter that sleeps past the deadline without re-checking; L1: the lock was free before the crashed holder's lease could have expired (expiry on the wrong clock).
         */
        void scenario09_crashRecovery() throws Exception;

        /**
         * scenario 10: a session lease ends with its connection; a timed lease survives a blip.
         *
         * <p>Rules: L5 L4 L3. If this fails, look at: session: the client must notice the dropped session and mark its leases lost (SUSPENDED treated as held, INCIDENTS.md row 9); timed: the lease must survive a reconnect, and extend/release must work on the new connection.
         */
        void scenario10_connectionLoss() throws Exception;
    }

    /** L7 wake-up, L8 interrupts. */
    interface WakeUp {
        /**
         * L7: a waiter wakes and gets the lock after the holder releases.
         *
         * <p>Rules: L7 L1 L2 L3. If this fails, look at: release notification (pub/sub, {@code NOTIFY}, watches): a lost wake-up leaves the waiter until its maxWait, and the test requires the key well before half of it (a generous guard, not a timing); the holder's lease is released from another thread than the one that acquired it (an unlock bound to its thread fails here).
         */
        void l7_waiterWakesAfterRelease() throws Exception;

        /**
         * L7/E1: a 'forever' maxWait is a valid wait, not an overflow.
         *
         * <p>Rules: L7 E1. If this fails, look at: {@code maxWait.toNanos()} or {@code now + maxWait} overflowing for {@code Duration.ofSeconds(Long.MAX_VALUE)}; saturate ({@code Checks.saturatedNanos}).
         */
        void l7_aForeverMaxWaitIsAccepted() throws Exception;

        /**
         * L7: a waiter gets empty, not an exception, when its maxWait passes while the key is held.
         *
         * <p>Rules: L6 L7. If this fails, look at: a timed-out wait must return empty, not throw.
         */
        void l7_waiterGetsEmptyWhenMaxWaitPassesWhileHeld() throws Exception;

        /**
         * L7: an acquire on a client whose every lease session is in use gets empty by its maxWait.
         *
         * <p>Rules: L6 L7. If this fails, look at: a session backend that pins a connection per lease waits for a free one of its client for its own connection wait (not the caller's {@code maxWait}) and then throws; the wait for a lease session is part of the acquire's wait.
         */
        void l7_anAcquireOnAFullClientGetsEmptyByItsMaxWait() throws Exception;

        /**
         * L8: an acquire waiting for a lease session of its client reacts to an interrupt.
         *
         * <p>Rules: L8. If this fails, look at: an uninterruptible wait for a client-side resource (a pool's permit, a connection) inside {@code acquire}; only {@code release} may wait without reacting to interrupts.
         */
        void l8_anAcquireWaitingForALeaseSessionOfItsClientIsInterruptible() throws Exception;

        /**
         * L8: an interrupted acquire restores the interrupt flag and holds nothing.
         *
         * <p>Rules: L8. If this fails, look at: catch of {@code InterruptedException} that swallows the flag; a queued claim (waiter node, pending lock request) left behind that grabs the lock later.
         */
        void l8_interruptedAcquireRestoresFlagAndHoldsNothing() throws Exception;

        /**
         * L8: acquire called with the interrupt flag already set throws at once and holds nothing.
         *
         * <p>Rules: L8. If this fails, look at: interruptible waiting: an interrupted caller must get {@code InterruptedException}, never a store error.
         */
        void l8_acquireWithTheInterruptFlagAlreadySetThrowsAndHoldsNothing() throws Exception;

        /**
         * L8: a thread whose interrupt flag is set can still release its lease.
         *
         * <p>Rules: L8 L3. If this fails, look at: release in a {@code finally} after interrupted work: the interrupt flag must not make {@code release()} fail (interruptible lock or I/O on the release path).
         */
        void l8_anInterruptedThreadCanStillReleaseItsLease() throws Exception;
    }

    /** E1 bad input, E2 unavailable store. */
    interface Errors {
        /**
         * E1: bad keys, leases and waits fail fast naming the bad value, and take nothing.
         *
         * <p>Rules: E1. If this fails, look at: use {@code io.lockkit.spi.Checks} before any I/O; count key bytes in UTF-8, not characters; refuse unpaired surrogates ({@code Checks.key}); name the bad value in the message.
         */
        void e1_badKeysLeasesAndWaitsFailFastAndTakeNothing() throws Exception;

        /**
         * E1: leases outside the backend's limits are refused before anything is written.
         *
         * <p>Rules: E1. If this fails, look at: {@code leaseLimits()} checked after the lock was written (a 1000-year lease that blocks the key, then an {@code ArithmeticException}); a lease shorter than twice the drift margin granted already invalid; {@code toNanos()}/{@code toMillis()} overflow.
         */
        void e1_leasesOutsideTheBackendsLimitsAreRefusedBeforeAnythingIsWritten() throws Exception;

        /**
         * E1: any key of 1–256 UTF-8 bytes is accepted, and distinct keys stay distinct.
         *
         * <p>Rules: E1 L1. If this fails, look at: key encoding: NUL, quotes, {@code {}} (Redis cluster tags), slashes (ZooKeeper paths), {@code ?} vs {@code %3F} vs U+FFFD (an encoder's replacement), {@code %} vs {@code %25} (escaping that is not injective), NFC vs NFD, {@code .}/{@code ..}, case-insensitive collations, truncation at 255.
         */
        void e1_anyKeyOf1To256Utf8BytesIsAccepted() throws Exception;

        /**
         * E2: every lock call on an unreachable store throws BackendUnavailableException.
         *
         * <p>Rules: E2. If this fails, look at: connection errors mapped to "held" (empty), or no connect/command timeout.
         */
        void e2_everyLockCallOnAnUnreachableStoreThrowsBackendUnavailable() throws Exception;

        /**
         * E2: every lock call on a store that accepts connections and never answers throws BackendUnavailableException in time.
         *
         * <p>Rules: E2. If this fails, look at: a connect timeout but no bound on the wait for the store's first answer (the handshake, a login, a pooled connection's check), or a timeout that turns into "held".
         */
        void e2_everyLockCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime(TestInfo test) throws Exception;

        /**
         * scenario 12: bad input fails fast; an unreachable store is never reported as held.
         *
         * <p>Rules: E1 E2. If this fails, look at: the two groups above, on both APIs.
         */
        void scenario12_badInputAndUnavailableStore() throws Exception;

        /**
         * E1/L5: a lease of leaseLimits().shortest() is not granted already eaten by the drift margin.
         *
         * <p>Rules: E1 L5. If this fails, look at: the declared shortest lease against the drift margin
         * the client subtracts: a lease shorter than the margin is granted already invalid, yet blocks
         * the key in the store ({@code LeaseLimits.forDriftMargin} gives twice the margin).
         */
        void e1_aLeaseOfTheShortestDurationIsValidWhenGranted() throws Exception;
    }
}
