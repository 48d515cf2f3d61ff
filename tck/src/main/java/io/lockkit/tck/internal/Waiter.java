package io.lockkit.tck.internal;

import io.lockkit.tck.harness.Poll;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call running on its own daemon thread, so a test can watch it wait and interrupt it (L7, L8). */
public final class Waiter<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final Thread thread;

    private Waiter(String name, Callable<T> call) {
        this.thread = new Thread(
                () -> {
                    try {
                        result.complete(call.call());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                },
                name);
        thread.setDaemon(true);
    }

    public static <T> Waiter<T> start(String name, Callable<T> call) {
        Waiter<T> waiter = new Waiter<>(name, call);
        waiter.thread.start();
        return waiter;
    }

    /**
     * Gives the thread up to {@code patience} to park inside the call. Best effort: a backend that
     * waits on a socket read stays RUNNABLE, and the test goes on regardless.
     */
    public void awaitParked(Duration patience) throws InterruptedException {
        Poll.until(patience, () -> switch (thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED, TERMINATED -> true;
            default -> false;
        });
    }

    public void interrupt() {
        thread.interrupt();
    }

    /** Whether the call has neither returned nor thrown yet. */
    public boolean isRunning() {
        return !result.isDone();
    }

    /** What the call has come to so far, for a failure's message: still running, returned or threw. */
    public String state() {
        if (!result.isDone()) {
            return "still running (thread " + thread.getState() + ")";
        }
        return result.handle((value, failure) -> failure == null ? "returned " + value : "threw " + failure)
                .join();
    }

    /** The call's result, waiting up to {@code guard}; a timeout fails with a message. */
    public T get(Duration guard, String what) throws Exception {
        try {
            return result.get(guard.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError(what + " did not return within the guard deadline " + guard, e);
        }
    }
}
