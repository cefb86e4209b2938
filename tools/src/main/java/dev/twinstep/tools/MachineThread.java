package dev.twinstep.tools;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.RunResult;

/**
 * Runs a machine on its own thread, the machine thread of the design, with a stack sized for the
 * interpreter rather than the launcher's default, and hands the result (or failure) back.
 */
final class MachineThread {
    /** Room for deep guest-exception delivery paths; matches what the tests run with and more. */
    private static final long STACK_BYTES = 16L * 1024 * 1024;

    private MachineThread() {
    }

    /** Runs {@code machine} to the end and returns how it ended; its exceptions and errors are rethrown here. */
    static RunResult run(Machine machine) throws InterruptedException {
        RunResult[] result = new RunResult[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(null, () -> {
            try {
                result[0] = machine.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "twinstep-machine", STACK_BYTES);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            machine.requestStop();
            thread.join();
            throw e;
        }
        if (failure[0] instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure[0] instanceof Error error) {
            throw error;
        }
        return result[0];
    }
}
