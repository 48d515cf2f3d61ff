/**
 * The JDBC plumbing every database of this module shares: statements run as plain JDBC ({@link
 * io.lockkit.jdbc.internal.Prepared}), the client's bounded pool of autocommit sessions ({@link
 * io.lockkit.jdbc.internal.SessionPool}), the waiters woken by releases ({@link
 * io.lockkit.jdbc.internal.Waiters}), how keys are stored ({@link io.lockkit.jdbc.internal.KeyBytes})
 * and what reads a database error ({@link io.lockkit.jdbc.internal.SqlErrors}). Each database keeps
 * its own statements, error codes and session setup in its own package. Not exported, not API.
 */
@NullMarked
package io.lockkit.jdbc.internal;

import org.jspecify.annotations.NullMarked;
