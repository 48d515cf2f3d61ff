package io.lockkit.race.proc;

import java.util.HashMap;
import java.util.Map;

/**
 * The line protocol between the coordinator and a {@link Worker}. Coordinator → child: {@code P1
 * key workers leaseMs guardMs}, {@code P2 lockKey entity workers leaseMs maxWaitMs}, {@code GO},
 * {@code ALLTRIED}, {@code HOLD key data leaseMs}, {@code ACQUIRE key data leaseMs maxWaitMs},
 * {@code VALID}, {@code WRITE data}, {@code ZOMBIE data}, {@code AWAITINVALID ms}, {@code CHECK data}, {@code RELEASE},
 * {@code SOAK prefix writer workers hot cold leaseMs durationMs stallPercent seed} ({@link SoakLoop}),
 * {@code QUIT}. Child → coordinator: {@code READY pid}, {@code ARMED}, {@code TRIED}, {@code
 * SECTION startEpochNanos endEpochNanos}, {@code RESULT name=value …}, {@code HELD …}, {@code
 * WAITING}, {@code ACQUIRED …}, {@code NOTACQUIRED}, {@code VALID …}, {@code WROTE …}, {@code
 * ZOMBIE …}, {@code INVALID after=…}, {@code CHECKED …}, {@code RELEASED …}, the soak's {@code SB SE SW SU SOAKCOUNT SOAKDONE} lines, {@code ERROR command message}. Every line MUST
 * be one line; values MUST hold no space.
 */
final class Protocol {
    static final String GO = "GO";
    static final String ALL_TRIED = "ALLTRIED";
    static final String QUIT = "QUIT";
    static final String ARMED = "ARMED";
    static final String TRIED = "TRIED";

    private Protocol() {}

    /** Prints one answer line and flushes it at once. */
    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /** An exception as one line: class, message, and the first frame, with no line breaks. */
    static String oneLine(Throwable e) {
        StackTraceElement[] frames = e.getStackTrace();
        String where = frames.length == 0 ? "" : " at " + frames[0];
        return (e.getClass().getName() + ": " + e.getMessage() + where).replaceAll("[\\r\\n]+", " | ");
    }

    /** The {@code name=value} fields of an answer line, such as {@code RESULT won=1 empty=24}. */
    static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return fields;
    }
}
