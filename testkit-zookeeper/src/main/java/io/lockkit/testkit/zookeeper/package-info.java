/**
 * ZooKeeper for tests: {@link io.lockkit.testkit.zookeeper.ZooKeeperTestServer} (an in-JVM server
 * with a short tick, or the ensemble {@code LOCKKIT_ZOOKEEPER_CONNECT} names), {@link
 * io.lockkit.testkit.zookeeper.ZooKeeperProxy} (the TCK's {@code TcpProxy} reading ZooKeeper's
 * frames: request counts, a lost reply to one request, the granted session), the TCK target {@link
 * io.lockkit.testkit.zookeeper.ZooKeeperTarget} with its faults, and the race comparison's {@link
 * io.lockkit.testkit.zookeeper.ZooKeeperTargetFactory}. Clients are opened with {@code
 * LockKit.open}: the ZooKeeper backend must be on the class path.
 */
@NullMarked
package io.lockkit.testkit.zookeeper;

import org.jspecify.annotations.NullMarked;
