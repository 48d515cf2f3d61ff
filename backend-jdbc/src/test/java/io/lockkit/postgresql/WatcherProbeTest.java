package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The release listener switches off pgjdbc's 1 ms probe after each notification ({@link
 * Watcher#skipTrailingProbe}); what it saves is measured by the benchmarks (the notify hop and the
 * handoff), not here. Here: it takes effect on the driver we ship with, and no notification is lost
 * or delayed to a later wait without it.
 */
class WatcherProbeTest {
    private static final String CHANNEL = "lockkit_probe_test";

    @Test
    void takesEffectOnTheDriverWeShipWith() throws SQLException {
        try (Connection c = PostgresTestServer.dataSource("probe-test").getConnection()) {
            assertThat(Watcher.skipTrailingProbe(c))
                    .as("pgjdbc changed: the listener would wake waiters 1 ms late again")
                    .isTrue();
        }
    }

    @Test
    void everyNotificationArrivesWithTheProbeOff() throws Exception {
        int count = 50;
        try (Connection listener =
                        PostgresTestServer.dataSource("probe-listener").getConnection();
                Connection sender =
                        PostgresTestServer.dataSource("probe-sender").getConnection()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            assertThat(Watcher.skipTrailingProbe(listener)).isTrue();
            PGConnection pg = listener.unwrap(PGConnection.class);
            List<String> got = new ArrayList<>();
            try (PreparedStatement notify = sender.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
                // Bursts: some arrive while the listener waits, some pile up in its socket between waits.
                for (int i = 0; i < count; i++) {
                    notify.setString(1, Integer.toString(i));
                    notify.executeQuery().close();
                    if (i % 10 == 9) {
                        receive(pg, got, i + 1);
                    }
                }
            }
            assertThat(got)
                    .as("every notification, once each, in order")
                    .containsExactlyElementsOf(IntStream.range(0, count)
                            .mapToObj(Integer::toString)
                            .toList());
        }
    }

    /** Waits (as the Watcher does, in bounded waits) until {@code expected} notifications arrived in all. */
    private static void receive(PGConnection pg, List<String> got, int expected) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < expected && System.nanoTime() < deadline) {
            PGNotification[] batch = pg.getNotifications(100);
            if (batch != null) {
                for (PGNotification n : batch) {
                    got.add(n.getParameter());
                }
            }
        }
        assertThat(got).as("notifications received by now").hasSize(expected);
    }
}
