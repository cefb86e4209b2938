package dev.twinstep.tools;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.devices.serial.SerialBackend;
import java.util.List;

/**
 * Warms a standby JVM up: a secondary never runs guest code until it takes over, so without this the
 * first hundred milliseconds after a take-over would run in the JVM's bytecode interpreter rather
 * than compiled code. A throwaway PC runs the built-in {@code bench} guest on a daemon thread for a
 * few seconds at start, printing nothing; it shares no state with the replica.
 */
final class JitWarmUp {
    private JitWarmUp() {
    }

    /** Starts the warm-up; it ends by itself after {@code millis}. Failures only end it early. */
    static void start(GuestCatalog catalog, long millis) {
        Thread thread = new Thread(null, () -> run(catalog, millis), "twinstep-warm-up", 16L * 1024 * 1024);
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    private static void run(GuestCatalog catalog, long millis) {
        try {
            GuestCatalog.Entry bench = catalog.find("bench");
            Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024));
            machine.bootMultiboot(catalog.image(bench), bench.fileName(), "scale=100000");
            try (GuestMachine pc = GuestMachine.assemble(machine, SerialBackend.NONE, null, List.of(), null, b -> b)) {
                Thread stopper = new Thread(() -> {
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException ignored) {
                        // stop now
                    }
                    pc.machine.requestStop();
                }, "twinstep-warm-up-stop");
                stopper.setDaemon(true);
                stopper.start();
                pc.machine.run();
            }
        } catch (Exception | StackOverflowError e) {
            // A warm-up is an optimisation: without it the take-over is only slower at first.
        }
    }
}
