/**
 * PostgreSQL for tests: {@link io.lockkit.testkit.postgresql.PostgresTestServer} (an embedded
 * server started on first use, or the one {@code LOCKKIT_POSTGRES_URL} names), the TCK target
 * {@link io.lockkit.testkit.postgresql.PostgresTarget} with its faults, the race comparison's
 * {@link io.lockkit.testkit.postgresql.PostgresTargets}, and {@link
 * io.lockkit.testkit.postgresql.WireSocketFactory}, a pgjdbc socket factory that counts round trips
 * and cuts replies. Clients are opened with {@code LockKit.open}: the PostgreSQL backend must be on
 * the class path.
 */
@NullMarked
package io.lockkit.testkit.postgresql;

import org.jspecify.annotations.NullMarked;
