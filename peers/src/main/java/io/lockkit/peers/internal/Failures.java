package io.lockkit.peers.internal;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;

/**
 * Translates a peer's exceptions into lockkit's, as an adapter to the lockkit API has to: an
 * exception caused by the store being unreachable (a connection refused or lost, a connect or
 * command timeout, SQL state class {@code 08} or {@code 57P01}–{@code 57P03}) becomes {@link BackendUnavailableException} (E2);
 * any other unchecked exception propagates unchanged, and a checked one is wrapped in a {@link
 * LockKitException}, so what the peer reported stays visible. Stateless.
 */
public final class Failures {
    private Failures() {}

    /** The exception to throw for {@code thrown}, raised by {@code what} (such as {@code "shedlock/jdbc tryAcquire"}). */
    public static RuntimeException translate(String what, Throwable thrown) {
        Throwable e = unwrap(thrown);
        if (unreachable(e)) {
            return new BackendUnavailableException(what + ": the store is unreachable or timed out: " + e, e);
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new LockKitException(what + " failed: " + e, e);
    }

    /** True when {@code thrown} or one of its causes says the store cannot be reached. */
    public static boolean unreachable(Throwable thrown) {
        for (@Nullable Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof BackendUnavailableException
                    || t instanceof ConnectException
                    || t instanceof SocketTimeoutException
                    || t instanceof SocketException
                    || t instanceof UnknownHostException
                    || t instanceof TimeoutException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException
                    || (t instanceof SQLException s && connectionState(s.getSQLState()))
                    || t instanceof KeeperException.ConnectionLossException
                    || t instanceof KeeperException.SessionExpiredException
                    || t instanceof KeeperException.OperationTimeoutException
                    || named(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** SQL state class 08 (connection exception), or 57P01–57P03 (the server ended or refuses the session). */
    private static boolean connectionState(@Nullable String state) {
        return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }

    /** The clients' own "cannot reach the server" types, matched by name to keep this class free of their imports. */
    private static boolean named(Throwable t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            switch (c.getName()) {
                case "org.redisson.client.RedisConnectionException",
                        "org.redisson.client.RedisTimeoutException",
                        "org.redisson.client.RedisRetryException",
                        "io.lettuce.core.RedisConnectionException",
                        "io.lettuce.core.RedisCommandTimeoutException",
                        "org.springframework.data.redis.RedisConnectionFailureException",
                        "org.springframework.dao.QueryTimeoutException",
                        "org.apache.curator.CuratorConnectionLossException" -> {
                    return true;
                }
                default -> {
                    // not one of them
                }
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable thrown) {
        Throwable e = thrown;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
