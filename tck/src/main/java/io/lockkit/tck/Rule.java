package io.lockkit.tck;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The rules of the lockkit contract, as the kit names them: in scenario rows, in every violation
 * sentence ("L3: …"), in the kit tests' names ({@code l3_…}, {@code v2_v3_…}) and in the rules
 * interfaces {@link JobLockRules} and {@link VersionedUpdateRules}. {@link #text()} is the rule
 * word for word as {@code CONTRACT.md} §3 states it (the kit's own test keeps the two equal).
 */
public enum Rule {
    /** Exclusion. */
    L1(
            "Exclusion",
            "As long as a lease has not reached its deadline, every other acquire of its key MUST "
                    + "fail (empty) — from another client and from another call on the same client alike. "
                    + "Leases are not reentrant: the owner is the lease (a fresh id per grant), never a client, "
                    + "thread or host."),
    /** Fencing. */
    L2(
            "Fencing",
            "Each granted lease MUST carry a token greater than every token the same store granted "
                    + "before it, for any key: one order per store, not per key, kept across client restarts "
                    + "and taken at the grant (a grant after a wait is ordered after everything granted "
                    + "meanwhile). Across a restart of the store the order MUST hold when the backend declares "
                    + "`FENCING_SURVIVES_STORE_RESTART`, and a restart includes the store's process being "
                    + "killed (`kill -9`): a token handed out is durable on the store before the caller sees it, "
                    + "even when nothing else about its lease is."),
    /** Ownership. */
    L3(
            "Ownership",
            "Once a lease has stopped being the key's current lease — it ran out, was lost or taken "
                    + "over, or was released — its `extend` and `release` MUST return false and MUST NOT change "
                    + "anything for whoever holds the key now. `release` is idempotent: once it has freed the "
                    + "lease, later calls return false. Any thread may extend or release a lease."),
    /** Expiry. */
    L4(
            "Expiry",
            "A holder that crashes, stalls or loses its connection MUST lose the key by its deadline "
                    + "plus the time the store needs to notice. Nobody has to run a clean-up job for this, and "
                    + "acquire MUST NOT sweep expired leases to get it. Closing a client does not release its "
                    + "leases; they expire on their own."),
    /** Validity. */
    L5(
            "Validity",
            "`isValid()` MUST do no I/O. It MUST be false from the deadline on, false from the first "
                    + "call of `release()` whatever the store answered, and once false it MUST never be true "
                    + "again (an extend or a later reply cannot revive it). The deadline MUST count from the "
                    + "send (§2.2)."),
    /** Graceful contention. */
    L6(
            "Graceful contention",
            "A caller that loses a race MUST get a value — an empty `Optional` or `false` — and not "
                    + "an exception. Store errors whose only meaning is that another caller won (PostgreSQL "
                    + "23505 from a concurrent insert) MUST be turned into that value. Errors that ask for the "
                    + "statement again (PostgreSQL 40001 serialization failure, 40P01 deadlock: rolled back, "
                    + "nothing applied, and possibly no other winner) MUST be retried and, only when they "
                    + "persist, turned into that value too. An `acquire` whose wait runs out returns empty."),
    /** Wake-up. */
    L7(
            "Wake-up",
            "A waiter in `acquire` MUST get the key promptly after the holder releases it, woken by "
                    + "the store's release notification where there is one, not by a sleep loop; in each client "
                    + "process, a release MUST wake no more than one waiter of the key; after a holder crashed, "
                    + "the waiter MUST get the key by that holder's deadline (plus the store's detection time, "
                    + "L4). `maxWait` zero is exactly one attempt; a \"forever\" `maxWait` "
                    + "(`Duration.ofSeconds(Long.MAX_VALUE)`) MUST be accepted, not overflow."),
    /** Interrupts. */
    L8(
            "Interrupts",
            "An `acquire` interrupted while it waits MUST throw `InterruptedException` with the "
                    + "thread's interrupt flag set again, and leave no lock and no queued claim behind; one "
                    + "called with the flag already set MUST do the same. A thread whose flag is set MUST still "
                    + "be able to release."),
    /** Linearizable compare-and-set. */
    V1(
            "Linearizable compare-and-set",
            "Each key behaves as one register. Of N concurrent `compareAndSet` calls that all expect "
                    + "one version, one and only one MUST succeed, and what is stored afterwards MUST be its "
                    + "value. A stale version, or an absent key, MUST give empty and write nothing; `create` of "
                    + "an existing key MUST give empty; `delete` MUST need the current version; `read` MUST "
                    + "return the last acknowledged write."),
    /** Versions never repeat. */
    V2(
            "Versions never repeat",
            "Over a key's whole history the versions MUST strictly increase: across delete and "
                    + "re-create, and across a store restart, including one that lost the data. The first "
                    + "version MUST be at least 1."),
    /** Fenced writes. */
    V3(
            "Fenced writes",
            "A fenced write — `compareAndSet(key, version, value, token)`, `create(key, value, "
                    + "token)` or `delete(key, version, token)` — whose token is lower than a token that "
                    + "already wrote the key MUST throw `FencedOutException` and write nothing, whatever its "
                    + "expected version and whether the key exists or was deleted: the fence is checked first, "
                    + "and it survives delete. A token equal to or above the fence may write; a successful "
                    + "fenced write leaves the larger of the fence and its token as the key's fence. The fenced "
                    + "updater creates an absent key with the fenced `create`."),
    /** No lost or doubled updates. */
    V4(
            "No lost or doubled updates",
            "When N workers add M each to a counter through the retrying updater, the counter MUST "
                    + "finish at the count of increments that were reported successful, no more and no less. If "
                    + "the reply to a write goes missing, the backend MUST either identify the write as the "
                    + "caller's own and report success, or throw `OutcomeUnknownException`. It MUST NOT report "
                    + "a conflict (empty or false), MUST NOT report `BackendUnavailableException` for a write "
                    + "the store applied, and MUST NOT apply the write a second time."),
    /** Bad input. */
    E1(
            "Bad input",
            "A null, empty, malformed or over-long key, an over-size value, an expected version or "
                    + "token below 1, a lease that is not positive or lies outside `leaseLimits()`, a negative "
                    + "wait, an unknown URI or a malformed option MUST be refused before any I/O — "
                    + "`IllegalArgumentException` (`NullPointerException` for a null) whose message names the "
                    + "bad value — and nothing is written. Every key within the limits (§5) MUST be accepted, "
                    + "and distinct keys MUST stay distinct. A lease of `leaseLimits().shortest()` MUST NOT "
                    + "come back eaten by the drift margin: its deadline lies at least a quarter of the lease "
                    + "past *t*send (§2.3). No message shows a credential."),
    /** Unavailable store. */
    E2(
            "Unavailable store",
            "When the store cannot be reached, every call MUST fail with "
                    + "`BackendUnavailableException` within a bounded time the user can configure. It MUST NOT "
                    + "be reported as \"held\" (empty), and a client MUST NOT hand out a lease the store never "
                    + "granted.");

    private final String title;
    private final String text;

    Rule(String title, String text) {
        this.title = title;
        this.text = text;
    }

    /** The rule's short name, such as {@code Exclusion} for L1. */
    public String title() {
        return title;
    }

    /** The rule as the contract states it. */
    public String text() {
        return text;
    }

    /** The id and the short name, such as {@code L1 Exclusion}. */
    public String label() {
        return name() + " " + title;
    }

    /**
     * The rules a kit test's name starts with: {@code v2_v3_versionsAndFences…} gives V2 and V3, and
     * {@code scenario08_zombieHolder} or {@code fixture_…} none.
     */
    public static List<Rule> ofTestName(String method) {
        String[] parts = method.split("_");
        List<Rule> rules = new java.util.ArrayList<>();
        for (String part : parts) {
            String id = part.toUpperCase(Locale.ROOT);
            if (Arrays.stream(values()).noneMatch(r -> r.name().equals(id))) {
                break;
            }
            rules.add(valueOf(id));
        }
        return List.copyOf(rules);
    }

    /** The ids of {@code rules} separated by spaces, such as {@code L2 L3 V3 L5}. */
    public static String ids(List<Rule> rules) {
        return String.join(" ", rules.stream().map(Rule::name).toList());
    }
}
