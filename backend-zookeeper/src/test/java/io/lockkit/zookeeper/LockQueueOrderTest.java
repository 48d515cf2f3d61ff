package io.lockkit.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * L1 on ZooKeeper: the queue of a key is the order its lock nodes were created in, also across the
 * wrap of the server's 32-bit sequence counter (after 2³¹ creates on a container that never emptied,
 * a new node's number is negative and would sort before the holder's: two holders). A unit test of
 * the ordering: reaching the wrap on a server takes 2³¹ creates.
 */
class LockQueueOrderTest {
    private static String node(String id, long sequence) {
        return id + ZkJobLock.LOCK_MARK + String.format(java.util.Locale.ROOT, "%010d", sequence);
    }

    @Test
    void nodesAreQueuedByTheirSequenceNumber() {
        assertThat(ZkJobLock.lockNodes(List.of(node("c", 12), "other-node", node("a", 3), node("b", 10))))
                .containsExactly(node("a", 3), node("b", 10), node("c", 12));
    }

    @Test
    void aNodeNumberedAfterTheCounterWrappedQueuesBehindTheOnesBeforeTheWrap() {
        List<String> children = List.of(
                node("new2", Integer.MIN_VALUE + 1),
                node("holder", Integer.MAX_VALUE - 1),
                node("new1", Integer.MIN_VALUE),
                node("next", Integer.MAX_VALUE));
        assertThat(ZkJobLock.lockNodes(children))
                .as("L1: the holder, created first, stays first after the counter wrapped")
                .containsExactly(
                        node("holder", Integer.MAX_VALUE - 1),
                        node("next", Integer.MAX_VALUE),
                        node("new1", Integer.MIN_VALUE),
                        node("new2", Integer.MIN_VALUE + 1));
    }

    @Test
    void negativeNumbersAloneKeepTheirOrder() {
        assertThat(ZkJobLock.lockNodes(List.of(node("b", -5), node("a", Integer.MIN_VALUE))))
                .containsExactly(node("a", Integer.MIN_VALUE), node("b", -5));
    }
}
