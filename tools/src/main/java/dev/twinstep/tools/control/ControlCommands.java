package dev.twinstep.tools.control;

import dev.twinstep.core.machine.Machine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control protocol's commands, run on a client's socket thread. Machine actions go only through
 * {@link Machine}'s thread-safe pause/resume/stop API; a snapshot is read from this thread only while
 * the machine thread is parked at a boundary. Commands from all clients run one at a time, so that a
 * {@code cont} from one client cannot resume the machine in the middle of another's snapshot.
 */
final class ControlCommands {
    private static final Set<String> COMMANDS = Set.of("query-status", "stop", "cont", "snapshot-save", "quit",
            "qmp_capabilities");

    private final Machine machine;
    private final ControlServer server;
    private final List<ControlExtension> extensions;
    /**
     * Whether a client stopped the machine. Kept here rather than read from {@link Machine#isPaused()}:
     * that flag trails a {@code cont} until the machine thread wakes, and status must follow commands.
     */
    private boolean paused;

    ControlCommands(Machine machine, ControlServer server, List<ControlExtension> extensions) {
        this.machine = machine;
        this.server = server;
        this.extensions = List.copyOf(extensions);
    }

    /** Runs {@code name} and returns its {@code return} value. */
    synchronized Map<String, Object> execute(String name, Map<String, Object> arguments) throws CommandException, InterruptedException {
        for (ControlExtension extension : extensions) {
            if (extension.commands().contains(name)) {
                return extension.execute(name, arguments);
            }
        }
        if (!COMMANDS.contains(name)) {
            throw new CommandException("The command " + name + " has not been found");
        }
        Set<String> allowed = name.equals("snapshot-save") ? Set.of("file") : Set.of();
        for (String argument : arguments.keySet()) {
            if (!allowed.contains(argument)) {
                throw new CommandException("Parameter '" + argument + "' is unexpected");
            }
        }
        return switch (name) {
            case "query-status" -> queryStatus();
            case "stop" -> stop();
            case "cont" -> cont();
            case "snapshot-save" -> snapshotSave(arguments);
            case "quit" -> quit();
            case "qmp_capabilities" -> throw new CommandException("capabilities negotiation already completed");
            default -> throw new CommandException("The command " + name + " has not been found");
        };
    }

    private Map<String, Object> queryStatus() {
        String status = server.isShutdown() ? "shutdown" : paused ? "paused" : "running";
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("running", status.equals("running"));
        result.put("status", status);
        return result;
    }

    private Map<String, Object> stop() throws CommandException, InterruptedException {
        requireAlive();
        if (!paused) { // one pause hold for every client's stop, released by cont
            machine.pause();
            paused = true;
            server.broadcastEvent("STOP");
        }
        return Map.of();
    }

    private Map<String, Object> cont() throws CommandException {
        requireAlive();
        if (paused) {
            machine.resume();
            paused = false;
            server.broadcastEvent("RESUME");
        }
        return Map.of();
    }

    /**
     * Pauses a running machine for the save and lets it run on afterwards, so the snapshot is one
     * consistent instant; a paused machine stays paused. No STOP/RESUME events: the pause is internal.
     */
    private Map<String, Object> snapshotSave(Map<String, Object> arguments) throws CommandException, InterruptedException {
        Object file = arguments.get("file");
        if (file == null) {
            throw new CommandException("Parameter 'file' is missing");
        }
        if (!(file instanceof String path) || path.isEmpty()) {
            throw new CommandException("Parameter 'file' expects a non-empty string");
        }
        requireAlive();
        machine.pause();
        try {
            machine.saveSnapshot(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new CommandException("snapshot-save to '" + path + "' failed: " + e.getMessage());
        } finally {
            machine.resume(); // its own hold: a client's stop stays in force
        }
        return Map.of();
    }

    /** Only validates: the session stops the machine after the reply is out, so the client gets it. */
    private Map<String, Object> quit() {
        return Map.of();
    }

    /** The part of {@code quit} (or of an extension's command) that runs after its reply was sent. */
    void afterReply(String name) {
        if (name.equals("quit")) {
            machine.requestStop();
            return;
        }
        for (ControlExtension extension : extensions) {
            if (extension.commands().contains(name)) {
                extension.afterReply(name);
            }
        }
    }

    private void requireAlive() throws CommandException {
        if (server.isShutdown()) {
            throw new CommandException("the machine has shut down");
        }
    }
}
