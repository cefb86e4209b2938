package dev.twinstep.tools;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/** Replication events as timestamped lines on stderr: "twinstep: 12:01:02.345 colo ROLE: text". */
final class ColoLog implements Consumer<String> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final PrintStream out;
    private final String role;

    ColoLog(PrintStream out, String role) {
        this.out = out;
        this.role = role;
    }

    @Override
    public void accept(String text) {
        synchronized (out) {
            out.println("twinstep: " + LocalTime.now().format(TIME) + " colo " + role + ": " + text);
            out.flush();
        }
    }
}
