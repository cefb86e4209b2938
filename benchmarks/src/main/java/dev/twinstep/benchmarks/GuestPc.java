package dev.twinstep.benchmarks;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.boot.BootInfo;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.tools.GuestCatalog;
import dev.twinstep.tools.Pc;
import dev.twinstep.tools.UsageException;

/**
 * A built-in guest on the PC that {@code twinstep run --guest NAME} builds ({@link Pc}: COM1 into a
 * transcript, no NIC, an IDE channel without a drive), kept for many boots: a benchmark builds it once
 * per trial and re-boots it per run, so guest RAM is allocated once and the measured time is the
 * guest's, not the host allocator's.
 */
final class GuestPc {
    private final String guestName;
    private final byte[] image;
    private final Machine machine;
    private final SerialTranscript serial = new SerialTranscript();

    /** Builds the PC with {@code ramBytes} of RAM for the built-in guest {@code guestName}; does not boot it. */
    GuestPc(String guestName, long ramBytes) {
        this.guestName = guestName;
        this.image = builtInImage(guestName);
        this.machine = Pc.build(MachineConfig.withRam(ramBytes), serial);
    }

    /** The machine; run it, or drive its CPU directly, on the benchmark thread. */
    Machine machine() {
        return machine;
    }

    /** Everything COM1 transmitted since the last boot. */
    String serialOutput() {
        return serial.text();
    }

    /**
     * Resets the CPU and devices and loads the guest afresh with {@code append} as its command line,
     * as a QEMU {@code -kernel NAME.elf -append ...} boot would (a warm reset: RAM is rewritten only
     * where the image's segments and the boot information go).
     */
    BootInfo boot(String append) {
        machine.reset();
        serial.clear();
        try {
            return machine.bootMultiboot(image, guestName + ".elf", append);
        } catch (BootException e) {
            throw new IllegalStateException("the built-in guest '" + guestName + "' does not boot: " + e.getMessage(), e);
        }
    }

    private static byte[] builtInImage(String name) {
        GuestCatalog catalog = GuestCatalog.builtIn();
        try {
            return catalog.image(catalog.find(name));
        } catch (UsageException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Keeps what the guest prints, so that a benchmark can check the guest computed what it should. */
    private static final class SerialTranscript implements SerialBackend {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void transmit(int value) {
            text.append((char) (value & 0xFF));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String text() {
            return text.toString();
        }

        void clear() {
            text.setLength(0);
        }
    }
}
