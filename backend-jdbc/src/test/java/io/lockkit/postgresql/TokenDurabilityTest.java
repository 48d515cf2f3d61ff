package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.Lease;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * INCIDENTS.md row 35, on a server tuned for speed: sessions that start with {@code
 * synchronous_commit = off} (as on a server whose configuration says so) commit without waiting for
 * any flush, so a token drawn on them would be lost in a kill and handed out again. lockkit raises
 * the setting to {@code on} on every session it opens, so a token is durable before the caller sees
 * it. The kit's {@code l2_tokensKeepIncreasingAcrossAStoreCrash} checks the same on a server with the
 * default setting; this test is backend-specific because only PostgreSQL has the setting. Kills the
 * embedded server (every process, SIGKILL); skipped on an external one.
 */
class TokenDurabilityTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static Fixture fixture;

    @BeforeAll
    static void schema() {
        assumeTrue(PostgresTestServer.canRestart(), "the tests run on an external server, which they cannot kill");
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aTokenDrawnOnSessionsThatDoNotWaitForTheFlushIsNotHandedOutAgainAfterAKill(Variant variant) {
        PostgresTestServer.crash(); // the next token drawn is the one that writes the sequence's record
        long held;
        try (PostgresBackend client = asyncClient(variant)) {
            Lease lease = client.jobLock()
                    .tryAcquire("held-" + UUID.randomUUID(), LEASE)
                    .orElseThrow();
            held = lease.token();
            PostgresTestServer.crash(); // the lease is still held: nothing else flushed its grant
        }
        try (PostgresBackend client = asyncClient(variant)) {
            Lease after = client.jobLock()
                    .tryAcquire("after-" + UUID.randomUUID(), LEASE)
                    .orElseThrow();
            assertThat(after.token())
                    .as("L2: the token granted after the kill must be above %d, granted before it", held)
                    .isGreaterThan(held);
            after.release();
        }
    }

    /**
     * The sequence's record for the next 32 values is written by another session's transaction that
     * stays open (the application's own use of the sequence, or a row lock before lockkit flushed
     * it): a grant whose value that record covers writes no log of its own, so unless its statement
     * writes some, its commit does not wait, and the value is lost with the record in a kill.
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void aTokenCoveredByAnotherSessionsUnflushedRecordIsNotHandedOutAgainAfterAKill(Variant variant) throws Exception {
        PostgresTestServer.crash(); // the next nextval writes the sequence's record
        long held;
        try (Connection other =
                        PostgresTestServer.dataSource(fixture.schema + "-other").getConnection();
                PostgresBackend client =
                        fixture.builder(variant, fixture.schema + "-covered").build()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT nextval('" + fixture.tables.tokenSequence() + "')"); // left open
            }
            held = client.jobLock()
                    .tryAcquire("held-" + UUID.randomUUID(), LEASE)
                    .orElseThrow()
                    .token();
            PostgresTestServer.crash();
        }
        try (PostgresBackend client =
                fixture.builder(variant, fixture.schema + "-after").build()) {
            Lease after = client.jobLock()
                    .tryAcquire("after-" + UUID.randomUUID(), LEASE)
                    .orElseThrow();
            assertThat(after.token())
                    .as("L2: the token granted after the kill must be above %d, granted before it", held)
                    .isGreaterThan(held);
            after.release();
        }
    }

    /** A client whose sessions start with {@code synchronous_commit = off}, as on a server configured so. */
    private static PostgresBackend asyncClient(Variant variant) {
        PGSimpleDataSource ds = PostgresTestServer.dataSource(fixture.schema + "-async");
        ds.setOptions("-c synchronous_commit=off");
        return PostgresBackend.builder(ds)
                .variant(variant)
                .tables(fixture.tables)
                .namespace(fixture.schema)
                .maxConnections(Fixture.CONNECTIONS)
                .build();
    }
}
