package io.lockkit.redis;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.OutcomeUnknownException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.redisson.Redisson;
import org.redisson.RedissonShutdownException;
import org.redisson.api.NameMapper;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.ObjectParams;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.RedisBusyException;
import org.redisson.client.RedisClusterDownException;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisLoadingException;
import org.redisson.client.RedisMasterDownException;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.RedisOutOfMemoryException;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisResponseTimeoutException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.RedisTryAgainException;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.protocol.RedisCommand;
import org.redisson.command.CommandAsyncExecutor;

/**
 * Runs lockkit's scripts: one EVALSHA round trip, EVAL once after a {@code NOSCRIPT} (a restarted
 * or flushed server), every call bounded by {@code timeout} (E2) and never re-sent by Redisson
 * (V4): a reply lost after the request went out is an {@link OutcomeUnknownException} for a
 * writing script, and nothing else is retried. Thread-safe.
 */
final class Store {
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final int CLEANUP_RETRY_ATTEMPTS = 5;

    private final Sender script;
    private final Sender cleanup;
    private final Duration timeout;
    private final long timeoutNanos;
    private volatile boolean closed;

    Store(RedissonClient redisson, Duration timeout) {
        // Clean-ups are owner-checked releases: sending one twice is harmless, so they may retry.
        this.cleanup = Sender.of(
                redisson,
                OptionalOptions.defaults()
                        .codec(ByteArrayCodec.INSTANCE)
                        .timeout(timeout)
                        .retryAttempts(CLEANUP_RETRY_ATTEMPTS));
        // Retries off for every script: Redisson re-sends a command whose reply timed out, which
        // would apply a compare-and-set twice (V4). Reads are cheap for the caller to repeat.
        this.script = Sender.of(
                redisson,
                OptionalOptions.defaults()
                        .codec(ByteArrayCodec.INSTANCE)
                        .timeout(timeout)
                        .retryAttempts(0));
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    void close() {
        closed = true;
    }

    /**
     * Runs {@code s} on {@code keys} (the first one routes it) with {@code args}: byte arrays as
     * they are, anything else as its decimal or UTF-8 text. A request that certainly was not sent
     * (no connection yet, a connection found dead when writing) is sent again until {@code
     * timeout}: that is how the client reconnects after a dropped connection without ever
     * re-sending a request that may have run.
     */
    <R> R run(Script s, RScript.ReturnType type, List<Object> keys, Object... args) {
        if (closed) {
            throw new IllegalStateException("this lockkit Redis backend is closed");
        }
        Object[] encoded = encode(args);
        long until = System.nanoTime() + timeoutNanos;
        boolean cached = true;
        long pauseNanos = FIRST_PAUSE_NANOS;
        while (true) {
            try {
                CompletableFuture<R> reply =
                        script.<R>send(s, cached, type, keys, encoded).toCompletableFuture();
                return await(s, reply, until);
            } catch (RedisNoScriptException e) {
                // The script cache is empty (restart, SCRIPT FLUSH): nothing ran, so sending it again is safe.
                cached = false;
            } catch (NotSent e) {
                if (System.nanoTime() + pauseNanos - until >= 0) {
                    throw new BackendUnavailableException(
                            "Redis is unavailable for " + s.resource + " (gave up after " + timeout + "): "
                                    + Credentials.scrub(e.getCause().getMessage()),
                            Credentials.scrubbed(e.getCause()));
                }
                LockSupport.parkNanos(pauseNanos);
                pauseNanos = Math.min(pauseNanos * 2, MAX_PAUSE_NANOS);
            }
        }
    }

    /**
     * Sends {@code s} once, by EVAL (no script cache to miss), and returns its reply to come, for a
     * check nobody waits on (the reply or its failure is looked at when it is there).
     */
    <R> CompletableFuture<R> sendOnce(Script s, RScript.ReturnType type, List<Object> keys) {
        try {
            return script.<R>send(s, false, type, keys, new Object[0]).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends {@code s}, which MUST be idempotent, without waiting for the reply or reporting any
     * error, with Redisson's retries on: a best-effort clean-up.
     */
    void runQuietly(Script s, List<Object> keys, Object... args) {
        try {
            cleanup.send(s, false, RScript.ReturnType.INTEGER, keys, encode(args));
        } catch (RuntimeException e) {
            // best effort: what it would clean up expires by itself
        }
    }

    /** Waits for the reply without being interrupted (an acquire must know whether it got a lock, L8). */
    private <R> R await(Script s, CompletableFuture<R> reply, long until) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return reply.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CompletionException e) {
                    throw translate(s, e.getCause() == null ? e : e.getCause());
                } catch (TimeoutException e) {
                    reply.cancel(false);
                    throw s.writes
                            ? new OutcomeUnknownException(
                                    "no reply from Redis within " + timeout + " to " + s.resource
                                            + "; it may or may not have been applied",
                                    e)
                            : new BackendUnavailableException(
                                    "no reply from Redis within " + timeout + " to " + s.resource, e);
                } catch (CancellationException e) {
                    throw new BackendUnavailableException("the call to Redis was cancelled: " + s.resource, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Sorts Redisson's errors into what the caller can act on: the request certainly did not run
     * ({@link NotSent}: sent again until the timeout, then {@link BackendUnavailableException}), it may have run ({@link OutcomeUnknownException} for a
     * writing script), or the server refused it for a reason that is a bug ({@link LockKitException}).
     */
    static RuntimeException translate(Script s, Throwable t) {
        if (t instanceof RedisNoScriptException e) {
            return e;
        }
        String what = s.resource + ": " + Credentials.scrub(t.getMessage());
        Throwable cause = Credentials.scrubbed(t);
        if (t instanceof RedisResponseTimeoutException) {
            return s.writes
                    ? new OutcomeUnknownException("Redis did not reply in time to " + what, cause)
                    : new BackendUnavailableException("Redis did not reply in time to " + what, cause);
        }
        if (t instanceof RedissonShutdownException) {
            return new BackendUnavailableException("Redis is unavailable for " + what, cause);
        }
        if (notSent(t) || refusedBeforeRunning(t) || refusedInsideScript(t)) {
            return new NotSent(t);
        }
        if (isServerError(t)) {
            return new LockKitException("Redis rejected " + what, cause);
        }
        // Connection closed or reset while the request was in flight: it may have run.
        return s.writes
                ? new OutcomeUnknownException("the connection to Redis failed during " + what, cause)
                : new BackendUnavailableException("the connection to Redis failed during " + what, cause);
    }

    /** With retries off, Redisson raises these only before the command was written. */
    private static boolean notSent(Throwable t) {
        return t instanceof RedisConnectionException
                || (t instanceof RedisTimeoutException && !(t instanceof RedisResponseTimeoutException));
    }

    /** The request certainly did not go out: safe to send again. */
    private static final class NotSent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotSent(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Error replies for commands that the server did not run. */
    private static boolean refusedBeforeRunning(Throwable t) {
        return t instanceof RedisOutOfMemoryException
                || t instanceof RedisReadonlyException
                || t instanceof RedisLoadingException
                || t instanceof RedisMasterDownException
                || t instanceof RedisBusyException
                || t instanceof RedisTryAgainException
                || t instanceof RedisClusterDownException;
    }

    /**
     * Redis before 7 runs a script on a read-only replica (a demoted primary after a failover) and
     * refuses its first write from inside it, replying "ERR Error running script …: -READONLY …".
     * Nothing was written, as when Redis 7 refuses such a script before it runs ({@link
     * #refusedBeforeRunning}). (A wrapped {@code -OOM} Redisson already raises as {@link
     * RedisOutOfMemoryException}.)
     */
    private static boolean refusedInsideScript(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t.getClass() == RedisException.class
                && m.startsWith("ERR Error running script")
                && m.contains(": -READONLY ");
    }

    /**
     * An error reply from the server (a script error, an ACL refusal), as opposed to a transport
     * failure: Redisson turns such a reply into a plain {@link RedisException} without a cause,
     * whose message starts with the reply's upper-case error code.
     */
    private static boolean isServerError(Throwable t) {
        return t.getClass() == RedisException.class
                && t.getCause() == null
                && String.valueOf(t.getMessage()).matches("(?s)[A-Z]{2,}[ :].*");
    }

    private static Object[] encode(Object[] args) {
        Object[] out = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i] instanceof byte[] b ? b : String.valueOf(args[i]).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /**
     * Sends one script, by EVALSHA ({@code cached}) or by EVAL, as {@link RScript} sends it: every
     * key through the client's {@link NameMapper}, the first one routing the call. On Redisson's own
     * client it goes straight to Redisson's command executor, with the EVALSHA commands built once:
     * {@link RScript} builds a script object and a command, maps the keys through a stream and
     * passes every argument through the codec on each call, about 3 µs of the calling thread's CPU
     * per call on the 2-core benchmark machine. Any other {@link RedissonClient} gets {@link RScript}.
     */
    private abstract static class Sender {
        abstract <R> RFuture<R> send(
                Script s, boolean cached, RScript.ReturnType type, List<Object> keys, Object[] args);

        static Sender of(RedissonClient redisson, OptionalOptions options) {
            if (redisson instanceof Redisson r && options instanceof ObjectParams params) {
                return new Direct(r.getCommandExecutor().copy(params));
            }
            return new Scripted(redisson.getScript(options));
        }
    }

    private static final class Direct extends Sender {
        private static final Map<RScript.ReturnType, RedisCommand<?>> EVALSHA = new EnumMap<>(RScript.ReturnType.class);

        static {
            for (RScript.ReturnType type : RScript.ReturnType.values()) {
                EVALSHA.put(type, new RedisCommand<>(type.getCommand(), "EVALSHA"));
            }
        }

        private final CommandAsyncExecutor executor;
        private final NameMapper names;

        Direct(CommandAsyncExecutor executor) {
            this.executor = executor;
            this.names = executor.getServiceManager().getConfig().getNameMapper();
        }

        @Override
        <R> RFuture<R> send(Script s, boolean cached, RScript.ReturnType type, List<Object> keys, Object[] args) {
            Object[] mapped = new Object[keys.size()];
            for (int i = 0; i < mapped.length; i++) {
                mapped[i] = names.map((String) keys.get(i));
            }
            List<Object> mappedKeys = Arrays.asList(mapped);
            return cached
                    ? executor.evalWriteAsync(
                            (String) mapped[0], ByteArrayCodec.INSTANCE, EVALSHA.get(type), s.sha, mappedKeys, args)
                    : executor.evalWriteAsync(
                            (String) mapped[0], ByteArrayCodec.INSTANCE, type.getCommand(), s.text, mappedKeys, args);
        }
    }

    private static final class Scripted extends Sender {
        private final RScript script;

        Scripted(RScript script) {
            this.script = script;
        }

        @Override
        <R> RFuture<R> send(Script s, boolean cached, RScript.ReturnType type, List<Object> keys, Object[] args) {
            return cached
                    ? script.evalShaAsync(RScript.Mode.READ_WRITE, s.sha, type, keys, args)
                    : script.evalAsync(RScript.Mode.READ_WRITE, s.text, type, keys, args);
        }
    }
}
