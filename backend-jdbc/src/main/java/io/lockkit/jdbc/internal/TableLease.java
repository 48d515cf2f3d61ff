package io.lockkit.jdbc.internal;

import io.lockkit.LeaseLimits;
import io.lockkit.Ticker;
import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/**
 * A timed lease in a database's lock table, owned by its token: release and extend touch the row
 * only while it still carries this token (L3), so a zombie can never free or extend its successor's
 * lease. Thread-safe.
 */
public final class TableLease extends AbstractLease {
    /** The lock table's owner-checked statements, each one round trip. */
    public interface Table {
        /** Extends the row of {@code key} while it carries {@code token} and has not expired. */
        boolean extend(byte[] key, long token, Duration lease);

        /** Expires the row of {@code key} while it carries {@code token}. */
        boolean release(byte[] key, long token);
    }

    private final Table table;
    private final byte[] storedKey;

    /** @param sent the ticker's reading taken before the granting statement was sent (§2.2) */
    public TableLease(
            Table table,
            String key,
            byte[] storedKey,
            long token,
            Ticker ticker,
            long sent,
            Duration lease,
            Duration margin,
            LeaseLimits limits) {
        super(key, token, ticker, sent, lease, margin, limits);
        this.table = table;
        this.storedKey = storedKey;
    }

    @Override
    protected boolean doExtend(Duration lease) {
        return table.extend(storedKey, token(), lease);
    }

    @Override
    protected boolean doRelease() {
        return table.release(storedKey, token());
    }
}
