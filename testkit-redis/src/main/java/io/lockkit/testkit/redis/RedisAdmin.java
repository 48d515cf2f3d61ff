package io.lockkit.testkit.redis;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;

/**
 * An admin connection to a Redis server over Lettuce, apart from the Redisson client under test:
 * any command ({@link #commands()}), {@code CLIENT KILL} by client name, and {@code DEBUG SLEEP}.
 * Not thread-safe; close it.
 */
public final class RedisAdmin implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    /** Connects to {@code address} ({@code redis://host:port}). */
    public RedisAdmin(String address) {
        client = RedisClient.create(RedisURI.create(address));
        try {
            connection = client.connect();
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** The connection's commands, each waiting for its reply. */
    public RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** Kills every connection whose {@code CLIENT SETNAME} is {@code name}; returns how many. */
    public int killClients(String name) {
        int killed = 0;
        for (String line : commands().clientList().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                long id = Long.parseLong(line.substring(3, line.indexOf(' ')));
                killed += commands().clientKill(KillArgs.Builder.id(id)).intValue();
            }
        }
        return killed;
    }

    /**
     * Sends {@code DEBUG SLEEP seconds} and returns once the server is asleep (a probe's PING goes
     * unanswered); the returned reply completes when the server wakes.
     */
    public RedisFuture<String> sleepServer(int seconds) {
        // Connected first: a connection opened while the server sleeps waits for it to wake.
        try (StatefulRedisConnection<String, String> probe = client.connect()) {
            probe.setTimeout(Duration.ofMillis(50));
            RedisFuture<String> reply = connection
                    .async()
                    .dispatch(
                            CommandType.DEBUG,
                            new StatusOutput<>(StringCodec.UTF8),
                            new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(seconds));
            while (true) {
                try {
                    probe.sync().ping();
                } catch (RedisCommandTimeoutException e) {
                    return reply;
                }
            }
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
