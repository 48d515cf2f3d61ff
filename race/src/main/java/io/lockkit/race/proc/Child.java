package io.lockkit.race.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's handle on one {@link Worker} JVM: its stdin for commands, its stdout as a
 * queue of answer lines, its stderr copied to the progress stream. {@link #close()} always ends the
 * process (QUIT, then destroyForcibly); a shutdown hook ends every child still alive when the
 * coordinator exits, so no child outlives it. Thread-safe.
 */
final class Child implements AutoCloseable {
    /** What {@link #next} returns when the child's stdout ended: it exited or died. */
    static final String EOF = "EOF";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile boolean stopped;

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts a worker JVM with this JVM's {@code java} and class path, a small heap and a fast start. */
    static Child start(String name, String uri, Map<String, String> options, PrintStream progress) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Dslf4j.internal.verbosity=ERROR",
                "-cp",
                System.getProperty("java.class.path"),
                Worker.class.getName(),
                uri));
        options.forEach((k, v) -> command.add(k + "=" + v));
        Process process = new ProcessBuilder(command).start();
        LIVE.add(process);
        Child child = new Child(name, process);
        pump("child-out-" + name, process.getInputStream(), line -> child.lines.add(line), () -> child.lines.add(EOF));
        pump(
                "child-err-" + name,
                process.getErrorStream(),
                line -> progress.println("   [" + name + "] " + line),
                () -> {});
        return child;
    }

    private static void pump(
            String thread, java.io.InputStream in, java.util.function.Consumer<String> each, Runnable atEnd) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            each.accept(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    } finally {
                        atEnd.run();
                    }
                },
                thread);
        t.setDaemon(true);
        t.start();
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends one command line; false when the child can no longer read it. */
    synchronized boolean send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The next answer line, waiting until {@code deadlineNanos} ({@link System#nanoTime()}); empty
     * when none came in time. {@link #EOF} once the child's stdout ended.
     */
    Optional<String> next(long deadlineNanos) throws InterruptedException {
        String line = lines.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (EOF.equals(line)) {
            lines.add(EOF); // stays at the end for every later call
        }
        return Optional.ofNullable(line);
    }

    /**
     * Every line up to and including the first that starts with {@code prefix}, {@code ERROR} or is
     * {@link #EOF}.
     *
     * @throws ChildFailure when the child answered ERROR, died, or nothing matching came by the deadline
     */
    List<String> until(String prefix, long deadlineNanos) throws InterruptedException {
        return until(deadlineNanos, prefix);
    }

    /** The line starting with one of {@code prefixes}, as {@link #until} finds it. */
    String expectOneOf(long deadlineNanos, String... prefixes) throws InterruptedException {
        List<String> seen = until(deadlineNanos, prefixes);
        return seen.get(seen.size() - 1);
    }

    private List<String> until(long deadlineNanos, String... prefixes) throws InterruptedException {
        String prefix = String.join("|", prefixes);
        List<String> seen = new ArrayList<>();
        while (true) {
            Optional<String> line = next(deadlineNanos);
            if (line.isEmpty()) {
                throw new ChildFailure(name + " did not answer " + prefix + " in time" + lastLines(seen));
            }
            String l = line.get();
            if (l.equals(EOF)) {
                throw new ChildFailure(
                        name + " exited (status " + exitStatus() + ") before answering " + prefix + lastLines(seen));
            }
            seen.add(l);
            if (l.startsWith("ERROR")) {
                throw new ChildFailure(name + " failed: " + l);
            }
            for (String p : prefixes) {
                if (l.startsWith(p)) {
                    return seen;
                }
            }
        }
    }

    /** The line starting with {@code prefix}, as {@link #until} finds it. */
    String expect(String prefix, long deadlineNanos) throws InterruptedException {
        List<String> seen = until(prefix, deadlineNanos);
        return seen.get(seen.size() - 1);
    }

    private String exitStatus() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String lastLines(List<String> seen) {
        return seen.isEmpty() ? "" : "; last lines: " + seen.subList(Math.max(0, seen.size() - 3), seen.size());
    }

    /** Sends a POSIX signal ({@code STOP}, {@code CONT}, {@code KILL}) with {@code kill}. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
        if (signal.equals("STOP")) {
            stopped = true;
        } else if (signal.equals("CONT")) {
            stopped = false;
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Whether the process has exited; waits up to {@code timeout}. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends QUIT (after SIGCONT when stopped, else it could never read it); {@link #close()} waits. */
    void quit() {
        if (process.isAlive()) {
            if (stopped) {
                try {
                    signal("CONT");
                } catch (IOException | InterruptedException e) {
                    process.destroyForcibly(); // close() reaps it
                }
            }
            send(Protocol.QUIT);
        }
    }

    /** Asks the child to quit, and kills it when it has not exited within 3 s. */
    @Override
    public void close() {
        try {
            quit();
            if (process.isAlive()) {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            LIVE.remove(process);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    /** A child failed to answer as it should: it died, answered ERROR, or timed out. */
    static final class ChildFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChildFailure(String message) {
            super(message);
        }
    }
}
