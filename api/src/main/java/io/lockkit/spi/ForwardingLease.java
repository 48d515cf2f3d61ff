package io.lockkit.spi;

import io.lockkit.Lease;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link Lease} that passes every call to {@link #delegate}; {@link #close()} calls this lease's
 * {@link #release()}, and loss listeners receive this lease, so an overridden release or extend is
 * the one every path takes. Thread-safe when the delegate is and the overrides are.
 */
public class ForwardingLease implements Lease {
    /** Where every call not overridden goes. */
    protected final Lease delegate;

    public ForwardingLease(Lease delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The lease this one forwards to; {@link io.lockkit.KeepAlive} checks a length against its limits. */
    public final Lease delegate() {
        return delegate;
    }

    @Override
    public String key() {
        return delegate.key();
    }

    @Override
    public long token() {
        return delegate.token();
    }

    @Override
    public boolean isValid() {
        return delegate.isValid();
    }

    @Override
    public Duration remaining() {
        return delegate.remaining();
    }

    @Override
    public boolean extend(Duration lease) {
        return delegate.extend(lease);
    }

    @Override
    public boolean release() {
        return delegate.release();
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public void onLost(Consumer<Lease> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        delegate.onLost(l -> listener.accept(this));
    }
}
