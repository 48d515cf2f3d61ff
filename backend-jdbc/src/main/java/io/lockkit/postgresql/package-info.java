/**
 * The PostgreSQL backend ({@code jdbc:postgresql:}, {@code postgresql://}): a lock table with timed
 * leases, session advisory locks and session row locks, and versioned values, over JDBI 3. Start at
 * {@link io.lockkit.postgresql.PostgresBackend#builder(javax.sql.DataSource)}; the schema is {@link
 * io.lockkit.postgresql.PostgresBackend#schemaSql(TableNames)}.
 */
@NullMarked
package io.lockkit.postgresql;

import org.jspecify.annotations.NullMarked;
