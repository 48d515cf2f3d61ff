package io.lockkit.micrometer;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.ForwardingBackend;
import org.jspecify.annotations.Nullable;

/**
 * The instrumented backend. Its lock and store wrap the original's, one wrapper per instance the
 * original returns: the retrying Updater's turns belong to a store instance, so threads that take
 * {@link #versionedUpdate()} each time still take turns, as on the original. Thread-safe.
 */
final class MeteredBackend extends ForwardingBackend {
    private final Meters meters;
    private volatile @Nullable Wrapped<JobLock> jobLock;
    private volatile @Nullable Wrapped<VersionedUpdate> versionedUpdate;

    /** The last instance the original returned, and its wrapper. */
    private record Wrapped<T>(T original, T wrapper) {}

    MeteredBackend(Backend delegate, Meters meters) {
        super(delegate);
        this.meters = meters;
    }

    @Override
    public JobLock jobLock() {
        JobLock original = delegate.jobLock();
        Wrapped<JobLock> last = jobLock;
        if (last != null && last.original() == original) {
            return last.wrapper();
        }
        Wrapped<JobLock> made = new Wrapped<>(original, new MeteredJobLock(original, meters));
        jobLock = made;
        return made.wrapper();
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        VersionedUpdate original = delegate.versionedUpdate();
        Wrapped<VersionedUpdate> last = versionedUpdate;
        if (last != null && last.original() == original) {
            return last.wrapper();
        }
        synchronized (this) { // one wrapper, hence one set of Updater turns, per original instance
            last = versionedUpdate;
            if (last != null && last.original() == original) {
                return last.wrapper();
            }
            Wrapped<VersionedUpdate> made = new Wrapped<>(original, new MeteredVersionedUpdate(original, meters));
            versionedUpdate = made;
            return made.wrapper();
        }
    }

    @Override
    public String toString() {
        return "metered " + delegate;
    }
}
