package io.lockkit.redis.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.redisson.client.RedisAuthRequiredException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.RedisWrongPasswordException;

/**
 * Why Redis could not be reached, in words that name no internal script and no credential: read
 * from the cause chain of a failed call (Redisson's and Netty's exceptions). Not API.
 */
public final class Unreachable {
    private Unreachable() {}

    /**
     * {@code connection refused}, {@code connected, but no reply}, {@code the server refused the
     * credentials (WRONGPASS …)}, … for the first cause that tells; a generic phrase otherwise.
     */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RedisWrongPasswordException || t instanceof RedisAuthRequiredException) {
                return "the server refused the credentials (" + serverReply(t) + ")";
            }
            if (t instanceof SSLException) {
                return "the TLS handshake failed (" + firstLine(t) + "; is it a TLS port, for rediss://?)";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof ConnectException && String.valueOf(t.getMessage()).contains("refused")) {
                return "connection refused (nothing listens on that port)";
            }
            if (t instanceof SocketTimeoutException
                    || t.getClass().getName().equals("io.netty.channel.ConnectTimeoutException")) {
                return "no TCP connection within connectTimeout";
            }
            if (t instanceof RedisTimeoutException || t instanceof TimeoutException) {
                return "connected, but no reply (is it a Redis server, and not overloaded or paused?)";
            }
            if (t.getClass() == RedisException.class
                    && String.valueOf(t.getMessage()).matches("(?s)[A-Z]{2,}[ :].*")) {
                return "the server refused the connection's setup (" + serverReply(t) + ")";
            }
        }
        return "no connection";
    }

    /** A server's error reply without Redisson's channel and command details. */
    private static String serverReply(Throwable t) {
        String m = firstLine(t);
        int details = m.indexOf(". channel:");
        if (details < 0) {
            details = m.indexOf(" channel:");
        }
        m = details < 0 ? m : m.substring(0, details);
        while (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        return m;
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** {@code 500ms}, {@code 3s}, {@code 2m}: lockkit's duration grammar; ISO-8601 when none fits. */
    public static String format(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
