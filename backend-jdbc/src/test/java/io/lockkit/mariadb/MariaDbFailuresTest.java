package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/** How MariaDB's errors are read (L6, E2), and the builder's checks (E1); no server needed. */
class MariaDbFailuresTest {
    private static RuntimeException failed(String state, int code) {
        return new RuntimeException("INSERT …", new SQLException("from the server", state, code));
    }

    @Test
    void deadlocksLockWaitTimeoutsAndDuplicatesAreLostRacesAndTheFirstTwoAreSentAgain() {
        assertThat(MariaDbFailures.classify(failed("40001", 1213))).isEqualTo(MariaDbFailures.Kind.LOST_RACE);
        assertThat(MariaDbFailures.classify(failed("HY000", 1205))).isEqualTo(MariaDbFailures.Kind.LOST_RACE);
        assertThat(MariaDbFailures.classify(failed("23000", 1062))).isEqualTo(MariaDbFailures.Kind.LOST_RACE);
        assertThat(MariaDbFailures.KINDS.rolledBackForARetry(failed("40001", 1213)))
                .isTrue();
        assertThat(MariaDbFailures.KINDS.rolledBackForARetry(failed("HY000", 1205)))
                .isTrue();
        assertThat(MariaDbFailures.KINDS.rolledBackForARetry(failed("23000", 1062)))
                .isFalse();
    }

    @Test
    void lostConnectionsAreConnectionFailuresAndOtherErrorsAreNot() {
        assertThat(MariaDbFailures.classify(failed("08000", 0))).isEqualTo(MariaDbFailures.Kind.CONNECTION);
        assertThat(MariaDbFailures.classify(failed("70100", 1927))).isEqualTo(MariaDbFailures.Kind.CONNECTION);
        assertThat(MariaDbFailures.classify(failed("28000", 1045))).isEqualTo(MariaDbFailures.Kind.CONNECTION);
        assertThat(MariaDbFailures.classify(new RuntimeException(new SQLNonTransientConnectionException("gone"))))
                .isEqualTo(MariaDbFailures.Kind.CONNECTION);
        assertThat(MariaDbFailures.classify(new RuntimeException(new IOException("reset"))))
                .isEqualTo(MariaDbFailures.Kind.CONNECTION);
        assertThat(MariaDbFailures.classify(failed("42S02", 1146))).isEqualTo(MariaDbFailures.Kind.OTHER);
    }

    @Test
    void anUnreachableServerIsBackendUnavailableAndTheMessageShowsNoPassword() throws Exception {
        MariaDbDataSource ds = new MariaDbDataSource(
                "jdbc:mariadb://127.0.0.1:1/none?user=someone&password=s3cr3t-pw&connectTimeout=500");
        try (MariaDbBackend backend = MariaDbBackend.builder(ds)
                .connectionWait(Duration.ofSeconds(1))
                .networkTimeout(Duration.ofSeconds(1))
                .build()) {
            assertThatThrownBy(() -> backend.jobLock().tryAcquire("job", Duration.ofSeconds(5)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-pw"));
        }
    }

    @Test
    void badOptionsAreNamedAllAtOnce() throws Exception {
        MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:1/none");
        assertThatThrownBy(() -> MariaDbBackend.builder(ds)
                        .maxConnections(1)
                        .lockTable("lock; DROP TABLE x")
                        .pollInterval(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections=1")
                .hasMessageContaining("lockTable='lock; DROP TABLE x'")
                .hasMessageContaining("pollInterval=PT0S");
    }
}
