package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.Versioned;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the TCK target's store restart does and what the capabilities it declares rest on: the
 * server really stops and starts on its port and data directory, and timed leases, values,
 * versions, fences and the token sequence survive it; session leases end with their sessions.
 */
class RestartTest {
    @Test
    void timedLeasesValuesFencesAndTheSequenceSurviveARestartSessionLeasesEnd() throws Exception {
        assumeTrue(PostgresTestServer.canRestart(), "the tests run on an external server, which they cannot restart");
        try (Fixture f = new Fixture()) {
            PostgresBackend table = f.client(Variant.TABLE);
            PostgresBackend advisory = f.client(Variant.ADVISORY);
            Lease timed =
                    table.jobLock().tryAcquire("timed", Duration.ofMinutes(5)).orElseThrow();
            Lease session = advisory.jobLock()
                    .tryAcquire("session", Duration.ofMinutes(5))
                    .orElseThrow();
            Versioned v1 = table.versionedUpdate()
                    .create("value", bytes("v1"), timed.token())
                    .orElseThrow();
            String startedBefore = postmasterStart();

            PostgresTestServer.restart();

            assertThat(postmasterStart()).as("the server was restarted").isNotEqualTo(startedBefore);
            PostgresBackend other = f.client(Variant.TABLE);
            assertThat(retried(() -> other.versionedUpdate().read("value"))).contains(v1);
            assertThat(other.jobLock().tryAcquire("timed", Duration.ofSeconds(5)))
                    .as("the timed lease survived")
                    .isEmpty();
            Lease next =
                    other.jobLock().tryAcquire("next", Duration.ofSeconds(5)).orElseThrow();
            assertThat(next.token()).as("the sequence went on").isGreaterThan(session.token());
            other.versionedUpdate()
                    .compareAndSet("value", v1.version(), bytes("v2"), next.token())
                    .orElseThrow();
            assertThatThrownBy(() -> other.versionedUpdate().delete("value", 2, timed.token()))
                    .isInstanceOf(FencedOutException.class);
            assertThat(Poll.until(Duration.ofSeconds(10), () -> !session.isValid()))
                    .as("the session lease ended with its session")
                    .isTrue();
            assertThat(timed.isValid()).isTrue();
            assertThat(timed.release()).isTrue();
            next.release();
        }
    }

    private static <T> Optional<T> retried(java.util.function.Supplier<Optional<T>> call) throws Exception {
        Optional<Optional<T>> answer = Poll.forValue(Duration.ofSeconds(10), () -> {
            try {
                return Optional.of(call.get());
            } catch (LockKitException e) {
                return Optional.empty(); // the pooled connections died with the server: reconnecting
            }
        });
        return answer.orElseThrow(() -> new AssertionError("no answer after the restart"));
    }

    private static String postmasterStart() throws SQLException {
        try (Connection c =
                        PostgresTestServer.dataSource("lockkit-test-restart").getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_postmaster_start_time()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
