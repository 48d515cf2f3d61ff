package io.lockkit.tck.internal;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import io.lockkit.tck.harness.Keys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * E1: calls with bad input MUST fail fast with {@link IllegalArgumentException} (or {@link
 * NullPointerException} for a null) whose message names the bad value, and MUST write nothing.
 * Each check returns its violations as sentences; an empty list means the backend passed.
 */
public final class BadInput {
    static final String TOO_LONG_ASCII = "k".repeat(Checks.MAX_KEY_BYTES + 1);
    /** 129 characters but 258 UTF-8 bytes: catches a backend that counts characters, not bytes. */
    static final String TOO_LONG_UTF8 = "é".repeat(Checks.MAX_KEY_BYTES / 2 + 1);

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final byte[] VALUE = Keys.utf8("value");
    private static final byte[] TOO_BIG = new byte[Checks.MAX_VALUE_BYTES + 1];

    private BadInput() {}

    /** A call that must be refused. */
    private interface Call {
        Object invoke() throws Exception;
    }

    /** Bad keys, leases and waits on {@link JobLock} and {@link Lease}; then {@code key} must be free. */
    public static List<String> lockCalls(Backend client, String key) throws InterruptedException {
        JobLock lock = client.jobLock();
        List<String> v = new ArrayList<>();
        refuse(v, "tryAcquire(null, PT30S)", () -> lock.tryAcquire(nul(), LEASE), "key");
        refuse(v, "tryAcquire(\"\", PT30S)", () -> lock.tryAcquire("", LEASE), "key");
        refuse(v, "tryAcquire(<257 ASCII bytes>, PT30S)", () -> lock.tryAcquire(TOO_LONG_ASCII, LEASE), "key", "257");
        refuse(
                v,
                "tryAcquire(<129 × é = 258 bytes>, PT30S)",
                () -> lock.tryAcquire(TOO_LONG_UTF8, LEASE),
                "key",
                "258");
        refuse(
                v,
                "tryAcquire(key + <lone high surrogate \\uD800>, PT30S)",
                () -> lock.tryAcquire(key + "\uD800", LEASE),
                "key",
                "surrogate");
        refuse(
                v,
                "tryAcquire(key + <lone low surrogate \\uDC00>, PT30S)",
                () -> lock.tryAcquire(key + "\uDC00x", LEASE),
                "key",
                "surrogate");
        refuse(v, "tryAcquire(key, null)", () -> lock.tryAcquire(key, nul()), "lease");
        refuse(v, "tryAcquire(key, PT0S)", () -> lock.tryAcquire(key, Duration.ZERO), "lease");
        refuse(v, "tryAcquire(key, PT-1S)", () -> lock.tryAcquire(key, Duration.ofSeconds(-1)), "lease", "-1");
        refuse(v, "acquire(null, PT30S, PT0S)", () -> lock.acquire(nul(), LEASE, Duration.ZERO), "key");
        refuse(v, "acquire(key, PT0S, PT0S)", () -> lock.acquire(key, Duration.ZERO, Duration.ZERO), "lease");
        refuse(v, "acquire(key, PT30S, PT-0.001S)", () -> lock.acquire(key, LEASE, Duration.ofMillis(-1)), "wait");
        refuse(v, "acquire(key, PT30S, null)", () -> lock.acquire(key, LEASE, nul()), "wait");
        if (lock.tryAcquire(key + "?", LEASE).map(Lease::release).isEmpty()) {
            v.add("E1: after the refused calls the key '" + key + "?' is held: a key with a lone surrogate was"
                    + " encoded lossily and took it");
        }
        Optional<Lease> free = lock.tryAcquire(key, LEASE);
        if (free.isEmpty()) {
            v.add("E1: after the refused calls the key '" + key + "' is held: a call with a bad lease or wait took it");
            return v;
        }
        Lease lease = free.get();
        refuse(v, "lease.extend(PT0S)", () -> lease.extend(Duration.ZERO), "lease");
        refuse(v, "lease.extend(PT-1S)", () -> lease.extend(Duration.ofSeconds(-1)), "lease", "-1");
        if (!lease.isValid()) {
            v.add("E1: the lease is no longer valid after extend() with a bad duration was refused");
        }
        if (!lease.release()) {
            v.add("E1: release() returned false after extend() with a bad duration was refused");
        }
        return v;
    }

    /**
     * Leases outside {@link JobLock#leaseLimits()} — below the shortest, above the longest, and
     * durations that overflow a nanosecond or millisecond count — on tryAcquire, acquire and extend:
     * each refused with an IllegalArgumentException naming the value, before anything is written.
     * Then {@code key} must be free, and the lease that was extended unchanged.
     */
    public static List<String> leaseLimitCalls(Backend client, String key) throws InterruptedException {
        JobLock lock = client.jobLock();
        List<String> v = new ArrayList<>();
        LeaseLimits limits = lock.leaseLimits();
        if (limits == null) {
            v.add("E1: leaseLimits() returned null; every backend declares its shortest and longest lease");
            return v;
        }
        List<Duration> bad = new ArrayList<>(List.of(
                limits.longest().plusMillis(1),
                Duration.ofDays(365_000),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
        if (limits.shortest().compareTo(Duration.ofNanos(1)) > 0) {
            bad.add(limits.shortest().minusNanos(1));
        }
        for (Duration d : bad) {
            refuse(
                    v,
                    "tryAcquire(key, " + d + ") with limits " + limits,
                    () -> lock.tryAcquire(key, d),
                    "lease",
                    d.toString());
            refuse(
                    v,
                    "acquire(key, " + d + ", PT0S) with limits " + limits,
                    () -> lock.acquire(key, d, Duration.ZERO),
                    "lease",
                    d.toString());
        }
        Optional<Lease> free = lock.tryAcquire(key, limits.shortest().compareTo(LEASE) > 0 ? limits.shortest() : LEASE);
        if (free.isEmpty()) {
            v.add("E1: after the refused calls the key '" + key + "' is held: an acquire with a lease outside " + limits
                    + " wrote the lock although it threw");
            return v;
        }
        Lease lease = free.get();
        Duration before = lease.remaining();
        for (Duration d : bad) {
            refuse(v, "lease.extend(" + d + ") with limits " + limits, () -> lease.extend(d), "lease");
        }
        if (!lease.isValid()) {
            v.add("E1: the lease is no longer valid after extend() with a duration outside " + limits + " was refused");
        } else if (lease.remaining().compareTo(before) > 0) {
            v.add("E1: a refused extend() moved the lease's deadline (remaining " + before + " → " + lease.remaining()
                    + ")");
        }
        if (!lease.release()) {
            v.add("E1: release() returned false after extend() with a duration outside the limits was refused");
        }
        Optional<Lease> shortest = lock.tryAcquire(key, limits.shortest());
        if (shortest.isEmpty()) {
            v.add("E1: tryAcquire(key, " + limits.shortest() + "), the shortest lease the backend declares, returned"
                    + " empty on a free key");
        } else {
            shortest.get().release();
        }
        return v;
    }

    /** Bad keys, values and versions on {@link VersionedUpdate}; then {@code key} must still be absent. */
    public static List<String> versionedCalls(Backend client, String key) {
        VersionedUpdate store = client.versionedUpdate();
        List<String> v = new ArrayList<>();
        refuse(v, "read(null)", () -> store.read(nul()), "key");
        refuse(v, "read(\"\")", () -> store.read(""), "key");
        refuse(v, "read(<257 ASCII bytes>)", () -> store.read(TOO_LONG_ASCII), "key", "257");
        refuse(v, "create(null, value)", () -> store.create(nul(), VALUE), "key");
        refuse(v, "create(\"\", value)", () -> store.create("", VALUE), "key");
        refuse(v, "create(<257 ASCII bytes>, value)", () -> store.create(TOO_LONG_ASCII, VALUE), "key", "257");
        refuse(v, "create(<129 × é = 258 bytes>, value)", () -> store.create(TOO_LONG_UTF8, VALUE), "key", "258");
        refuse(v, "create(key, null)", () -> store.create(key, nul()), "value");
        refuse(v, "create(key, <512 KiB + 1>)", () -> store.create(key, TOO_BIG), "value", "524289");
        refuse(v, "create(key, value, 0)", () -> store.create(key, VALUE, 0), "token", "0");
        refuse(v, "create(key, value, -1)", () -> store.create(key, VALUE, -1), "token", "-1");
        refuse(v, "create(\"\", value, 1)", () -> store.create("", VALUE, 1), "key");
        refuse(v, "create(key, <512 KiB + 1>, 1)", () -> store.create(key, TOO_BIG, 1), "value", "524289");
        refuse(v, "compareAndSet(key, 0, value)", () -> store.compareAndSet(key, 0, VALUE), "version", "0");
        refuse(v, "compareAndSet(key, -1, value)", () -> store.compareAndSet(key, -1, VALUE), "version", "-1");
        refuse(
                v,
                "compareAndSet(key, 1, <512 KiB + 1>)",
                () -> store.compareAndSet(key, 1, TOO_BIG),
                "value",
                "524289");
        refuse(v, "compareAndSet(key, 0, value, 1)", () -> store.compareAndSet(key, 0, VALUE, 1), "version", "0");
        refuse(v, "compareAndSet(key, 1, value, 0)", () -> store.compareAndSet(key, 1, VALUE, 0), "token", "0");
        refuse(v, "compareAndSet(\"\", 1, value, 1)", () -> store.compareAndSet("", 1, VALUE, 1), "key");
        refuse(v, "delete(key, 0)", () -> store.delete(key, 0), "version", "0");
        refuse(v, "delete(null, 1)", () -> store.delete(nul(), 1), "key");
        refuse(v, "delete(key, 1, 0)", () -> store.delete(key, 1, 0), "token", "0");
        refuse(v, "delete(key, 0, 1)", () -> store.delete(key, 0, 1), "version", "0");
        refuse(v, "delete(\"\", 1, 1)", () -> store.delete("", 1, 1), "key");
        refuse(v, "read(key + <lone surrogate \\uD800>)", () -> store.read(key + "\uD800"), "key", "surrogate");
        refuse(
                v,
                "create(key + <lone surrogate \\uDC00>, value)",
                () -> store.create(key + "\uDC00", VALUE),
                "key",
                "surrogate");
        refuse(
                v,
                "create(key + <lone surrogate \\uD800>, value, 1)",
                () -> store.create(key + "\uD800", VALUE, 1),
                "key",
                "surrogate");
        if (store.read(key + "?").isPresent()) {
            v.add("E1: after the refused calls the key '" + key + "?' exists: a key with a lone surrogate was encoded"
                    + " lossily and written");
        }
        if (store.read(key).isPresent()) {
            v.add("E1: after the refused calls the key '" + key
                    + "' exists: a refused create or compareAndSet wrote it");
        }
        return v;
    }

    private static void refuse(List<String> violations, String call, Call invocation, String... mustMention) {
        Object returned;
        try {
            returned = invocation.invoke();
        } catch (IllegalArgumentException | NullPointerException e) {
            checkMessage(violations, call, e, mustMention);
            return;
        } catch (Exception e) {
            violations.add("E1: " + call + " threw " + Traces.brief(e)
                    + "; bad input MUST be an IllegalArgumentException (or NullPointerException for a null)");
            return;
        }
        if (returned instanceof Optional<?> o && o.isPresent() && o.get() instanceof Lease lease) {
            lease.release();
        }
        violations.add("E1: " + call + " returned " + returned + " instead of failing fast with an"
                + " IllegalArgumentException");
    }

    private static void checkMessage(List<String> violations, String call, RuntimeException e, String... mustMention) {
        boolean isNull = call.contains("null");
        if (!isNull && e instanceof NullPointerException) {
            violations.add("E1: " + call + " threw a NullPointerException for a non-null bad value; it MUST be an"
                    + " IllegalArgumentException naming the value: " + Traces.brief(e));
            return;
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        for (String word : mustMention) {
            if (!message.contains(word.toLowerCase(Locale.ROOT))) {
                violations.add("E1: the message of " + call + " does not name the bad value ('" + word + "' missing): "
                        + Traces.brief(e));
                return;
            }
        }
    }

    /** A null where the API forbids one, to check the backend refuses it. */
    private static <T> @Nullable T nul() {
        return null;
    }
}
