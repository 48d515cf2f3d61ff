/**
 * The MariaDB backend (10.6 and later, InnoDB): a lock table with timed leases on the database
 * clock, its fencing tokens from a {@code NOCACHE} sequence, and versioned values with tombstones and
 * fences. Start at {@link
 * io.lockkit.mariadb.MariaDbBackend#builder(javax.sql.DataSource)}. So far the lock
 * table and versioned values; waiters poll (no release notification).
 */
@NullMarked
package io.lockkit.mariadb;

import org.jspecify.annotations.NullMarked;
