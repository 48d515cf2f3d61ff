/**
 * The tools the kit and the scenarios race with, usable in a backend's own tests: a barrier race
 * that keeps every outcome ({@link io.lockkit.tck.harness.Race}), the critical-section recorder
 * that finds overlaps by the send-time deadline rule ({@link io.lockkit.tck.harness.IntervalRecorder}),
 * a TCP proxy that drops, loses and delays ({@link io.lockkit.tck.harness.TcpProxy}), and fresh keys.
 */
@NullMarked
package io.lockkit.tck.harness;

import org.jspecify.annotations.NullMarked;
