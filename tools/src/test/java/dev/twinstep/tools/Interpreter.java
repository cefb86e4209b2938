package dev.twinstep.tools;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;

/** Tests that boot a guest need the CPU interpreter; until it exists they are skipped, not failed. */
final class Interpreter {
    private Interpreter() {
    }

    static void assumeItRuns() throws Exception {
        Machine probe = new Machine(MachineConfig.withRam(4L * 1024 * 1024));
        probe.bootMultiboot(TinyKernel.image(new byte[] {(byte) 0xFA, (byte) 0xF4}, 0), "probe", "");
        try {
            probe.cpu().execute(10);
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "the CPU interpreter is not written yet");
        }
    }
}
