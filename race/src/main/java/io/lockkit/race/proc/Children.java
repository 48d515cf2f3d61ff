package io.lockkit.race.proc;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A group of worker JVMs started together. {@link #close()} ends every one of them, whatever state
 * it is in; {@link #allExited()} tells whether none is left. Not thread-safe.
 */
final class Children implements AutoCloseable {
    /** How many children start at once. */
    static final int BATCH = 4;

    private final List<Child> children = new ArrayList<>();

    /**
     * Starts {@code count} children (child {@code i} opens {@code uri.apply(i)}) and waits until
     * each printed READY.
     *
     * @throws Child.ChildFailure when one did not start by the deadline; all are ended then
     */
    static Children start(
            String label,
            int count,
            IntFunction<String> uri,
            Map<String, String> options,
            PrintStream progress,
            long deadlineNanos)
            throws IOException, InterruptedException {
        Children group = new Children();
        try {
            // In batches of four: more JVMs starting at once on a loaded two-core host missed the
            // stores' connect timeouts.
            for (int from = 0; from < count; from += BATCH) {
                int to = Math.min(count, from + BATCH);
                for (int i = from; i < to; i++) {
                    group.children.add(Child.start(label + "-" + i, uri.apply(i), options, progress));
                }
                for (int i = from; i < to; i++) {
                    group.children.get(i).expect("READY", deadlineNanos);
                }
            }
            return group;
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Starts the processes without waiting for them, so several groups start at once; then {@link #awaitReady}. */
    static Children launch(
            String label, int count, IntFunction<String> uri, Map<String, String> options, PrintStream progress)
            throws IOException {
        Children group = new Children();
        try {
            for (int i = 0; i < count; i++) {
                group.children.add(Child.start(label + "-" + i, uri.apply(i), options, progress));
            }
            return group;
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /**
     * Waits until every child printed READY.
     *
     * @throws Child.ChildFailure when one did not by the deadline; all are ended then
     */
    void awaitReady(long deadlineNanos) throws InterruptedException {
        try {
            for (Child c : children) {
                c.expect("READY", deadlineNanos);
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    Child get(int i) {
        return children.get(i);
    }

    List<Child> list() {
        return List.copyOf(children);
    }

    int size() {
        return children.size();
    }

    /** Sends one line to every child, one after the other with no wait in between. */
    void sendAll(String line) {
        children.forEach(c -> c.send(line));
    }

    /** Waits for a line starting with {@code prefix} from every child. */
    void expectAll(String prefix, long deadlineNanos) throws InterruptedException {
        for (Child c : children) {
            c.expect(prefix, deadlineNanos);
        }
    }

    /** Whether every child's process has ended. */
    boolean allExited() {
        return children.stream().noneMatch(Child::alive);
    }

    @Override
    public void close() {
        children.forEach(Child::quit);
        children.forEach(Child::close);
    }
}
