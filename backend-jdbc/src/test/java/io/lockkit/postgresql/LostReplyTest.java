package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import io.lockkit.testkit.postgresql.WireSocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V4 and reconnection: a write whose reply is lost on the wire (the server applied it) is recognised
 * as the caller's own, never applied twice nor reported as a conflict; connections the server ended
 * while idle are replaced without the caller noticing.
 */
class LostReplyTest {

    private static Fixture fixture;
    private PostgresBackend client;
    private WireSocketFactory.Wire wire;
    private String wireName;

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    @BeforeEach
    void client() {
        wireName = "lost-" + UUID.randomUUID();
        client = fixture.wiredClient(Variant.TABLE, wireName);
        wire = WireSocketFactory.wire(wireName);
        client.versionedUpdate().read("warm-up"); // a pooled connection to lose the reply on
    }

    @Test
    void v4_compareAndSetWhoseReplyIsLostIsRecognisedAsOwn() {
        String key = key();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1")).orElseThrow();
        wire.cutNextReply();
        Versioned v2 = client.versionedUpdate()
                .compareAndSet(key, v1.version(), bytes("2"))
                .orElseThrow();
        assertThat(v2.version()).isEqualTo(v1.version() + 1);
        assertThat(client.versionedUpdate().read(key)).contains(v2);
    }

    @Test
    void v4_fencedCompareAndSetWhoseReplyIsLostIsRecognisedAsOwn() {
        String key = key();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1")).orElseThrow();
        wire.cutNextReply();
        Versioned v2 = client.versionedUpdate()
                .compareAndSet(key, v1.version(), bytes("2"), 5)
                .orElseThrow();
        assertThat(client.versionedUpdate().read(key)).contains(v2);
    }

    @Test
    void v4_createAndDeleteWhoseRepliesAreLostAreRecognisedAsOwn() {
        String key = key();
        wire.cutNextReply();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1")).orElseThrow();
        assertThat(v1.version()).isEqualTo(1);
        wire.cutNextReply();
        assertThat(client.versionedUpdate().delete(key, 1)).isTrue();
        assertThat(client.versionedUpdate().read(key)).isEmpty();
    }

    @Test
    void v4_fencedCreateWhoseReplyIsLostIsRecognisedAsOwnAndRecordsItsToken() {
        String key = key();
        wire.cutNextReply();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1"), 5).orElseThrow();
        assertThat(client.versionedUpdate().read(key)).contains(v1);
        assertThatThrownBy(() -> client.versionedUpdate().compareAndSet(key, v1.version(), bytes("2"), 4))
                .isInstanceOf(FencedOutException.class);
    }

    @Test
    void v4_aFencedCreateWhoseReplyIsLostIsNotAppliedAgainOnTheTombstoneOfALaterDelete() {
        String key = key();
        PostgresBackend other = fixture.client(Variant.TABLE);
        AtomicBoolean deleted = new AtomicBoolean();
        wire.cutReplies(null, 1, () -> deleted.set(other.versionedUpdate().delete(key, 1)));
        assertThatThrownBy(() -> client.versionedUpdate().create(key, bytes("mine"), 5))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThat(deleted).isTrue();
        assertThat(client.versionedUpdate().read(key)).as("applied twice").isEmpty();
        assertThatThrownBy(() -> other.versionedUpdate().create(key, bytes("zombie"), 4))
                .as("the lost create's token 5 is the tombstone's fence")
                .isInstanceOf(FencedOutException.class);
    }

    @Test
    void v4_aFencedDeleteWhoseReplyIsLostIsRecognisedAsOwnAndLeavesItsTokenAsTheFence() {
        String key = key();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1"), 5).orElseThrow();
        wire.cutNextReply();
        assertThat(client.versionedUpdate().delete(key, v1.version(), 7)).isTrue();
        assertThat(client.versionedUpdate().read(key)).isEmpty();
        assertThatThrownBy(() -> client.versionedUpdate().create(key, bytes("zombie"), 6))
                .isInstanceOf(FencedOutException.class);
    }

    @Test
    void anAcquireWhoseReplyIsLostTakesOverItsOwnGrant() {
        String key = key();
        wire.cutNextReply();
        Lease lease = client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.release()).isTrue();
        client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow().release();
    }

    @Test
    void v4_aCreateWhoseReplyIsLostIsNotAppliedAgainOnTheTombstoneOfALaterDelete() {
        String key = key();
        PostgresBackend other = fixture.client(Variant.TABLE);
        AtomicBoolean deleted = new AtomicBoolean();
        // our create applies, its reply is lost, and meanwhile another client deletes the key
        wire.cutReplies(null, 1, () -> deleted.set(other.versionedUpdate().delete(key, 1)));
        assertThatThrownBy(() -> client.versionedUpdate().create(key, bytes("mine")))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThat(deleted).isTrue();
        assertThat(client.versionedUpdate().read(key)).as("applied twice").isEmpty();
        assertThat(client.versionedUpdate()
                        .create(key, bytes("again"))
                        .orElseThrow()
                        .version())
                .isEqualTo(2);
    }

    /**
     * The first copy of a create is still running on the server (here it sleeps in a trigger; in
     * life it waits for a lock) when its reply is lost: sending it again would apply it, and after a
     * delete the first copy would apply a second time on the tombstone. It is reported unknown.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void v4_aCreateStillRunningWhenItsReplyIsLostIsNotSentAgain(boolean fenced) throws Exception {
        String key = key();
        String schema = fixture.schema;
        PostgresTestServer.execute("CREATE SEQUENCE IF NOT EXISTS " + schema + ".slow_once");
        PostgresTestServer.execute("SELECT setval('" + schema + ".slow_once', 1, false)");
        PostgresTestServer.execute("CREATE OR REPLACE FUNCTION " + schema
                + ".slow_once() RETURNS trigger LANGUAGE plpgsql"
                + " AS $$ BEGIN IF NEW.value = convert_to('slow', 'UTF8') AND nextval('" + schema + ".slow_once') = 1"
                + " THEN PERFORM pg_sleep(1.5); END IF; RETURN NEW; END $$");
        PostgresTestServer.execute("CREATE TRIGGER slow_once BEFORE INSERT ON " + fixture.tables.versionedTable()
                + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".slow_once()");
        try {
            wire.cutNextReply();
            assertThatThrownBy(() -> {
                        if (fenced) {
                            client.versionedUpdate().create(key, bytes("slow"), 5);
                        } else {
                            client.versionedUpdate().create(key, bytes("slow"));
                        }
                    })
                    .isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("may still be running");
            PostgresBackend other = fixture.client(Variant.TABLE);
            Versioned applied = Poll.forValue(Duration.ofSeconds(10), () -> other.versionedUpdate()
                            .read(key))
                    .orElseThrow(() -> new AssertionError("the first copy never applied"));
            assertThat(applied.version()).as("applied once, by the first copy").isEqualTo(1);
            assertThat(other.versionedUpdate().delete(key, 1)).isTrue();
            assertThat(other.versionedUpdate().read(key)).isEmpty();
        } finally {
            PostgresTestServer.execute("DROP TRIGGER slow_once ON " + fixture.tables.versionedTable());
        }
    }

    @Test
    void aCreateOnAConnectionTheServerEndedWhileIdleIsSentAgain() {
        PostgresTestServer.terminate(wireName);
        String key = key();
        assertThat(client.versionedUpdate().create(key, bytes("1"))).isPresent();
        PostgresTestServer.terminate(wireName);
        assertThat(client.versionedUpdate().create(key + "/fenced", bytes("1"), 3))
                .isPresent();
    }

    @Test
    void anAcquireWhoseRepliesAreAllLostLeavesNoGrantBlockingTheKey() {
        String key = key();
        // the attempt and its resend on a new connection are both granted, and both replies are lost
        wire.cutReplies(Fixture.TABLE_ACQUIRE_MARKER, 2, () -> {});
        assertThatThrownBy(() -> client.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                .isInstanceOf(BackendUnavailableException.class);
        PostgresBackend other = fixture.client(Variant.TABLE);
        assertThat(other.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                .as("the lost grant was ended")
                .isPresent();
    }

    @Test
    void connectionsEndedWhileIdleAreReplacedUnnoticed() {
        String key = key();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1")).orElseThrow();
        Lease lease = client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
        PostgresTestServer.terminate(wireName);
        assertThat(client.versionedUpdate().compareAndSet(key, v1.version(), bytes("2")))
                .isPresent();
        PostgresTestServer.terminate(wireName);
        assertThat(lease.extend(Duration.ofSeconds(30))).isTrue();
        PostgresTestServer.terminate(wireName);
        assertThat(lease.release()).isTrue();
    }

    @org.junit.jupiter.api.AfterEach
    void everyCutWasUsed() {
        assertThat(wire.takeCut())
                .as("a reply the test meant to cut was never awaited")
                .isFalse();
        client.close();
    }

    private static String key() {
        return "lost-reply/" + UUID.randomUUID();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
