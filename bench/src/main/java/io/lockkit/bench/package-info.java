/**
 * JMH benchmarks of every lockkit backend against its store's round-trip floor and the peers, the
 * launcher that runs them ({@link io.lockkit.bench.BenchMain}) and the report that turns JMH's JSON
 * into a markdown table ({@link io.lockkit.bench.Report}). Not an API: nothing here is published
 * for users.
 */
@NullMarked
package io.lockkit.bench;

import org.jspecify.annotations.NullMarked;
