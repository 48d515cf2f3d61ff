-- lockkit's PostgreSQL schema. {token}, {lock}, {rowlock} and {versioned} stand for the configured
-- names (defaults: lockkit_token, lockkit_lock, lockkit_row_lock, lockkit_versioned).
-- Keys are stored as bytea: the key's UTF-8 bytes (any characters, U+0000 included).

-- Every fencing token of every variant comes from this one sequence (L2). CACHE 1: with a cache,
-- sessions hand out pre-allocated values out of order (INCIDENTS.md row 20).
CREATE SEQUENCE IF NOT EXISTS {token} AS bigint MINVALUE 1 CACHE 1 NO CYCLE;

-- table variant: one row per key ever locked; a free key's row has expired (a release expires it at once).
-- token: the lease's fencing token, which also identifies it for extend and release (L3);
-- owner: the random id of the acquire attempt that wrote the row (recognised after a lost reply).
CREATE TABLE IF NOT EXISTS {lock} (
    key        bytea       PRIMARY KEY,
    token      bigint      NOT NULL,
    owner      bigint      NOT NULL,
    expires_at timestamptz NOT NULL
);

-- rowlock variant: the rows that are locked FOR UPDATE, one per key, created on first use.
CREATE TABLE IF NOT EXISTS {rowlock} (
    key bytea PRIMARY KEY
);

-- VersionedUpdate: a deleted key stays as a tombstone so its version and fence never go back (V2, V3).
CREATE TABLE IF NOT EXISTS {versioned} (
    key      bytea   PRIMARY KEY,
    value    bytea   NOT NULL,
    version  bigint  NOT NULL CHECK (version >= 1),
    fence    bigint  NOT NULL DEFAULT 0,
    deleted  boolean NOT NULL DEFAULT false,
    write_id bigint  NOT NULL
);
