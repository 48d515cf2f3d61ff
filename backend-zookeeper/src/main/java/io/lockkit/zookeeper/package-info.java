/**
 * The ZooKeeper backend ({@code zookeeper://}), on Apache Curator: session leases on ephemeral
 * sequential nodes fenced by the holder node's {@code czxid}, and compare-and-set on znodes with
 * 64-bit versions taken from {@code mzxid}. Start at {@link
 * io.lockkit.zookeeper.ZooKeeperBackend#builder(org.apache.curator.framework.CuratorFramework)}.
 */
@NullMarked
package io.lockkit.zookeeper;

import org.jspecify.annotations.NullMarked;
