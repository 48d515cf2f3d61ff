package io.lockkit.tck;

import org.junit.jupiter.api.TestInfo;

/**
 * The table of contents of {@link VersionedUpdateTck}: every test of the kit, grouped as the kit groups them,
 * each with the rules it checks (its name starts with them, see {@link Rule#ofTestName}) and where
 * to look when it fails. The kit implements every method here with {@code @Override}, so the
 * compiler keeps this list and the kit equal.
 */
public interface VersionedUpdateRules extends FixtureRules {
    /** V1 linearizable compare-and-set. */
    interface Linearizability {
        /**
         * V1: create is empty when the key exists, and leaves it unchanged.
         *
         * <p>Rules: V1 L6. If this fails, look at: a duplicate-key error must map to empty.
         */
        void v1_createIsEmptyWhenTheKeyExists() throws Exception;

        /**
         * V1: read returns the last acknowledged write, from any client.
         *
         * <p>Rules: V1. If this fails, look at: reads from a replica or a cache; values returned from the write must equal what is stored.
         */
        void v1_readReturnsTheLastWrite() throws Exception;

        /**
         * V1: compareAndSet with a stale version is empty and writes nothing.
         *
         * <p>Rules: V1. If this fails, look at: the {@code WHERE version = ?} (or script check) of the compare-and-set.
         */
        void v1_compareAndSetWithAStaleVersionIsEmptyAndWritesNothing() throws Exception;

        /**
         * V1: compareAndSet on an absent key is empty and creates nothing.
         *
         * <p>Rules: V1. If this fails, look at: an upsert used for compare-and-set.
         */
        void v1_compareAndSetOnAnAbsentKeyIsEmptyAndCreatesNothing() throws Exception;

        /**
         * V1: delete needs the current version.
         *
         * <p>Rules: V1. If this fails, look at: delete without a version check.
         */
        void v1_deleteNeedsTheCurrentVersion() throws Exception;

        /**
         * scenario 3: of N concurrent completions, one is stored and the others are told.
         *
         * <p>Rules: V1 L6. If this fails, look at: several winners: a read-then-write compare-and-set that is not atomic; a loser told it won.
         */
        void scenario03_doubleCompletion() throws Exception;

        /**
         * scenario 4: COMPLETED against FAILED: the stored state is the one whose writer won.
         *
         * <p>Rules: V1. If this fails, look at: the state stored differs from the writer told it won: a write acknowledged before it was applied, or applied after a conflict.
         */
        void scenario04_conflictingTransitions() throws Exception;

        /**
         * scenario 7: a slow writer's stale compareAndSet is rejected, also after delete and re-create.
         *
         * <p>Rules: V1 V2. If this fails, look at: a stale version accepted; versions restarting after delete and re-create (ABA, INCIDENTS.md row 16).
         */
        void scenario07_outOfOrderSlowWriter() throws Exception;
    }

    /** V2 versions never repeat. */
    interface Versions {
        /**
         * V2: the first version is at least 1 and versions strictly increase.
         *
         * <p>Rules: V2. If this fails, look at: the first version must be ≥ 1; each write increases it.
         */
        void v2_firstVersionIsAtLeastOneAndVersionsStrictlyIncrease() throws Exception;

        /**
         * V2: versions never repeat across delete and re-create.
         *
         * <p>Rules: V2. If this fails, look at: versions kept in the row that delete removes (keep a tombstone or take versions from a store-wide sequence).
         */
        void v2_versionsNeverRepeatAcrossDeleteAndRecreate() throws Exception;
    }

    /** V3 fenced writes. */
    interface Fencing {
        /**
         * V3: a lower token is fenced out, whatever its expected version.
         *
         * <p>Rules: V3. If this fails, look at: check the fence **before** the version, and throw {@code FencedOutException} rather than return empty.
         */
        void v3_lowerTokenIsFencedOutWhateverTheExpectedVersion() throws Exception;

        /**
         * V3: the same or a higher token may write.
         *
         * <p>Rules: V3. If this fails, look at: a fence compared with {@code >=} instead of {@code >}.
         */
        void v3_sameOrHigherTokenMayWrite() throws Exception;

        /**
         * V3: the fence survives delete and re-create.
         *
         * <p>Rules: V3. If this fails, look at: the highest token kept in the row that delete removes.
         */
        void v3_fenceSurvivesDelete() throws Exception;

        /**
         * V3: a create fenced with a lower token is fenced out after delete; a higher token may create.
         *
         * <p>Rules: V3. If this fails, look at: {@code create(key, value, token)} must check the fence the tombstone kept, before it brings the key back, and throw {@code FencedOutException}; a create that ignores the token (or a tombstone that drops the fence) lets a zombie re-create a deleted key.
         */
        void v3_fencedCreateAfterDeleteRejectsALowerToken() throws Exception;

        /**
         * V3: a fenced create of a fresh key records its token as the key's fence.
         *
         * <p>Rules: V3. If this fails, look at: a fenced create must store its token as the key's fence, also when it inserts a new row/node/hash.
         */
        void v3_fencedCreateOnAFreshKeyRecordsTheFence() throws Exception;

        /**
         * V3: a fenced create of a live key is empty, and fenced out when its token is lower.
         *
         * <p>Rules: V3 V1. If this fails, look at: an existing key: empty for an equal or higher token, {@code FencedOutException} for a lower one (fence checked first, as in the fenced compare-and-set); an empty create must not raise the fence.
         */
        void v3_fencedCreateOfALiveKeyIsEmptyOrFencedOut() throws Exception;

        /**
         * V3: a zombie's fenced updater cannot bring back a key the new holder deleted.
         *
         * <p>Rules: V3 V4. If this fails, look at: the fenced updater must create an absent key with the fenced {@code create(key, value, token)}, and never retry a {@code FencedOutException}.
         */
        void v3_zombieUpdaterOnADeletedKeyIsFencedOut() throws Exception;

        /**
         * V3: a zombie's fenced delete cannot remove the new holder's value.
         *
         * <p>Rules: V3. If this fails, look at: {@code delete(key, version, token)} must check the fence before the version and throw {@code FencedOutException}.
         */
        void v3_aZombiesFencedDeleteCannotRemoveTheNewHoldersValue() throws Exception;

        /**
         * V3: a fenced delete checks the fence before the version, also on a deleted key.
         *
         * <p>Rules: V3. If this fails, look at: the fenced delete returning false for a stale version instead of {@code FencedOutException}; the fence check skipped on a deleted key.
         */
        void v3_aFencedDeleteChecksTheFenceBeforeTheVersion() throws Exception;

        /**
         * V3: a fenced delete leaves its token as the deleted key's fence; versions go on (V2).
         *
         * <p>Rules: V3 V2. If this fails, look at: the tombstone must keep max(fence, token); versions must go on after delete and re-create.
         */
        void v3_aFencedDeleteLeavesItsTokenAsTheFence() throws Exception;
    }

    /** V4 no lost or doubled updates. */
    interface NoLostUpdates {
        /**
         * V4: the updater creates an absent key, and writes nothing when its function declines.
         *
         * <p>Rules: V4. If this fails, look at: {@code create} and {@code read} semantics the updater relies on.
         */
        void v4_updaterCreatesWhenAbsentAndWritesNothingWhenItDeclines() throws Exception;

        /**
         * scenario 5: N×M increments through the updater and under a lock lose and double nothing.
         *
         * <p>Rules: V4 V1 L1. If this fails, look at: lost: a compare-and-set that ignores the version; doubled: a retried write whose reply was lost applied twice (INCIDENTS.md row 17); lock part: a conflict while the lease was valid means two holders (L1). 40001/40P01 thrown instead of a conflict (INCIDENTS.md row 14) shows as uncaught.
         */
        void scenario05_lostUpdates() throws Exception;

        /**
         * V4: a write whose reply was lost is never reported as a conflict, nor as unavailable once applied.
         *
         * <p>Rules: V4. If this fails, look at: a timeout after the write was sent mapped to "conflict" (empty/false) or to {@code BackendUnavailableException} although the store applied it: it MUST be {@code OutcomeUnknownException} (or a success the backend recognised as its own). A re-send after a lost reply that finds its own write and reports a conflict.
         */
        void v4_aWriteWhoseReplyWasLostIsNeverReportedAsAConflict(TestInfo test) throws Exception;

        /**
         * V4: a compareAndSet whose reply was lost is applied once: another client's later write stays.
         *
         * <p>Rules: V4. If this fails, look at: a re-send after a lost reply that re-reads the key and
         * writes again with the version it finds (a command retry of a non-idempotent script): the write
         * lands twice and overwrites what another client wrote in between. Recognise the first copy as
         * your own (a write id stored with the value) or report {@code OutcomeUnknownException}.
         */
        void v4_aWriteWhoseReplyWasLostIsNeverAppliedAgain(TestInfo test) throws Exception;

        /**
         * V2, V3: after a store restart no version is handed out again, and fences hold where declared.
         *
         * <p>Rules: V2 V3 V1. If this fails, look at: versions that start again at 1 after a store lost its data (draw them from a clock-based counter, as tokens); fences lost in the restart while tokens are declared to survive (keep an epoch below which fenced writes are refused); data declared durable but gone.
         */
        void v2_v3_versionsAndFencesAcrossAStoreRestart(TestInfo test) throws Exception;

        /**
         * scenario 6: concurrent progress reports never make stored progress decrease.
         *
         * <p>Rules: V1 V4. If this fails, look at: progress decreased: a compare-and-set that is not atomic with its read, or reads that go back in time.
         */
        void scenario06_monotonicProgress() throws Exception;
    }

    /** E1 bad input, E2 unavailable store. */
    interface Errors {
        /**
         * E1: bad keys, values and versions fail fast naming the bad value, and write nothing.
         *
         * <p>Rules: E1. If this fails, look at: {@code Checks} before any I/O; version 0 and token 0 (also for the fenced create and delete) are invalid; size limits in bytes; keys with an unpaired surrogate refused (an encoder would turn them into {@code ?}).
         */
        void e1_badKeysValuesAndVersionsFailFastAndWriteNothing() throws Exception;

        /**
         * E1: the largest value and any key of 1–256 UTF-8 bytes are stored, distinct keys apart.
         *
         * <p>Rules: E1. If this fails, look at: values of exactly 512 KiB with every byte value (text columns, encoding); key encoding as above.
         */
        void e1_largestValueAndAnyKeyOf1To256Utf8BytesAreAccepted() throws Exception;

        /**
         * E2: every versioned call on an unreachable store throws BackendUnavailableException.
         *
         * <p>Rules: E2. If this fails, look at: as the lock E2 test.
         */
        void e2_everyVersionedCallOnAnUnreachableStoreThrowsBackendUnavailable() throws Exception;

        /**
         * E2: every versioned call on a store that accepts connections and never answers throws BackendUnavailableException in time.
         *
         * <p>Rules: E2. If this fails, look at: as the lock E2 test on a store that never answers; a write reported as OutcomeUnknownException although nothing was ever answered.
         */
        void e2_everyVersionedCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime(TestInfo test)
                throws Exception;
    }
}
