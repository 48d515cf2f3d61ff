package io.lockkit.tck.internal;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Stack traces as text, cut short enough to read in a test report. */
public final class Traces {
    private static final int MAX_LINES = 30;

    private Traces() {}

    public static String of(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        String[] lines = out.toString().split("\\R");
        if (lines.length <= MAX_LINES) {
            return String.join(System.lineSeparator(), lines);
        }
        return String.join(System.lineSeparator(), java.util.Arrays.copyOf(lines, MAX_LINES)) + System.lineSeparator()
                + "\t… " + (lines.length - MAX_LINES) + " more lines";
    }

    /** The exception's class and message on one line. */
    public static String brief(Throwable t) {
        return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
