/**
 * MariaDB for tests: {@link io.lockkit.testkit.mariadb.MariaDbTestServer} (an embedded server
 * started on first use, or the one {@code LOCKKIT_MARIADB_URL} names, or a Testcontainers one) and
 * the TCK target {@link io.lockkit.testkit.mariadb.MariaDbTarget} with its faults. The test says how
 * a client is opened ({@link io.lockkit.testkit.mariadb.MariaDbTarget.Opener}).
 */
@NullMarked
package io.lockkit.testkit.mariadb;

import org.jspecify.annotations.NullMarked;
