package dev.twinstep.tools.demo;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's live narration: its own events and the child processes' stderr lines, one line each,
 * as "TIME SOURCE  TEXT" so the processes' stories interleave in time order.
 */
final class DemoConsole {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final Pattern CHILD_LINE = Pattern.compile("twinstep: (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (.*)");
    private final PrintStream out;

    DemoConsole(PrintStream out) {
        this.out = out;
    }

    /** One of the demo's own events. */
    void event(String text) {
        print(LocalTime.now().format(TIME), "demo", text);
    }

    /**
     * A stderr line of child process {@code name}, with its own timestamp when it has one. Only
     * twinstep's own lines are shown; library chatter (JVM or logging warnings) stays in the
     * process's .err file.
     */
    void childLine(String name, String line) {
        Matcher m = CHILD_LINE.matcher(line);
        if (m.matches()) {
            print(m.group(1), name, m.group(2));
        } else if (line.startsWith("twinstep: ")) {
            print(LocalTime.now().format(TIME), name, line.substring("twinstep: ".length()));
        }
    }

    private void print(String time, String source, String text) {
        synchronized (out) {
            out.printf("%s %-12s %s%n", time, source, text);
            out.flush();
        }
    }
}
