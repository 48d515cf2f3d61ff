/**
 * The MariaDB backend (10.6 and later, InnoDB): a lock table with timed leases on the database
 * clock, or the advisory variant ({@code GET_LOCK} on a session pinned to the lease) or the rowlock
 * variant (the key's row locked by a transaction pinned to the lease), both with waiters woken by
 * the release, fencing tokens from a {@code NOCACHE} sequence, and versioned values with
 * tombstones and fences. Start at {@link
 * io.lockkit.mariadb.MariaDbBackend#builder(javax.sql.DataSource)}.
 */
@NullMarked
package io.lockkit.mariadb;

import org.jspecify.annotations.NullMarked;
