package dev.twinstep.tools.control;

import java.util.Map;
import java.util.Set;

/**
 * Commands a feature adds to the control socket (migration, COLO). They run on a client's socket
 * thread, one command at a time across all clients, like the built-in ones.
 */
public interface ControlExtension {
    /** The command names this extension answers. */
    Set<String> commands();

    /**
     * Runs {@code name}, checking its own arguments.
     *
     * @return the QMP {@code return} value
     * @throws CommandException with a message for the client
     */
    Map<String, Object> execute(String name, Map<String, Object> arguments) throws CommandException, InterruptedException;

    /**
     * Runs after the reply to a successful {@code name} was sent: for actions that end this process
     * (the client must get its reply first).
     */
    default void afterReply(String name) {
    }

    /** Refuses arguments other than {@code allowed}. */
    static void allowOnly(Map<String, Object> arguments, Set<String> allowed) throws CommandException {
        for (String argument : arguments.keySet()) {
            if (!allowed.contains(argument)) {
                throw new CommandException("Parameter '" + argument + "' is unexpected");
            }
        }
    }

    /** A required non-empty string argument. */
    static String requireString(Map<String, Object> arguments, String name) throws CommandException {
        Object value = arguments.get(name);
        if (value == null) {
            throw new CommandException("Parameter '" + name + "' is missing");
        }
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new CommandException("Parameter '" + name + "' expects a non-empty string");
        }
        return text;
    }
}
