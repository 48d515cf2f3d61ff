package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.postgresql.PostgresBackend.Variant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    void anAcquireWhoseReplyIsLostTakesOverItsOwnGrant() {
        String key = key();
        wire.cutNextReply();
        Lease lease = client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.release()).isTrue();
        client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow().release();
    }

    @Test
    void connectionsEndedWhileIdleAreReplacedUnnoticed() {
        String key = key();
        Versioned v1 = client.versionedUpdate().create(key, bytes("1")).orElseThrow();
        Lease lease = client.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
        TestDatabase.terminate(wireName);
        assertThat(client.versionedUpdate().compareAndSet(key, v1.version(), bytes("2")))
                .isPresent();
        TestDatabase.terminate(wireName);
        assertThat(lease.extend(Duration.ofSeconds(30))).isTrue();
        TestDatabase.terminate(wireName);
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
