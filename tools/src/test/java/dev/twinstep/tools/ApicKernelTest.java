package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.serial.StreamSerialBackend;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-assembled kernels on the whole PC platform that take interrupts through the APICs: the LAPIC
 * timer in periodic mode, and the PIT's IRQ 0 routed by the IOAPIC's pin 2. Each handler prints '.'
 * and writes the LAPIC EOI register; the kernel sleeps in HLT until it has counted enough.
 */
@Timeout(60)
class ApicKernelTest {
    private static final int CODE = TinyKernel.LOAD_ADDRESS + 32;
    private static final int IDTR = 0xF8;
    private static final int IDT = 0x100;
    private static final int VECTORS = 0x50;
    private static final int LAPIC = 0xFEE00000;
    private static final int IOAPIC = 0xFEC00000;

    private record Run(RunResult result, String serial, long virtualNanos) {
    }

    private static Run boot(byte[] kernel) throws Exception {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024).withClock(ClockMode.ICOUNT));
        machine.bootMultiboot(kernel, "apic", "");
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        PcPlatform.attach(machine, new StreamSerialBackend(serial, false), null);
        RunResult result = MachineThread.run(machine);
        return new Run(result, serial.toString(StandardCharsets.ISO_8859_1), machine.clock().nowNanos());
    }

    @Test
    void shouldTakePeriodicLapicTimerInterruptsWhileHalted() throws Exception {
        ByteBuffer setup = code();
        store(setup, LAPIC + 0x3E0, 0xB); // divide by 1: one count per ns
        store(setup, LAPIC + 0x320, 0x20040); // periodic, vector 0x40
        store(setup, LAPIC + 0x380, 99_999); // 100 us period
        Run run = boot(kernel(setup, 0x40, 30));
        assertEquals(RunResult.Outcome.GUEST_EXIT, run.result().outcome(), run.result().diagnosis());
        assertEquals(".".repeat(30) + "\n", run.serial());
        assertTrue(run.virtualNanos() >= 30 * 100_000L && run.virtualNanos() < 31 * 100_000L,
                "30 periods of 100 us, HLT skipping to each: " + run.virtualNanos() + " ns");
    }

    @Test
    void shouldDeliverPitIrq0ThroughIoApicPin2() throws Exception {
        ByteBuffer setup = code();
        store(setup, IOAPIC, 0x15); // pin 2 high half: destination APIC 0
        store(setup, IOAPIC + 0x10, 0);
        store(setup, IOAPIC, 0x14); // pin 2 low half: vector 0x30, fixed, edge, unmasked
        store(setup, IOAPIC + 0x10, 0x30);
        out(setup, 0x43, 0x34); // PIT channel 0, mode 2
        out(setup, 0x40, 1193 & 0xFF);
        out(setup, 0x40, 1193 >>> 8);
        Run run = boot(kernel(setup, 0x30, 20));
        assertEquals(RunResult.Outcome.GUEST_EXIT, run.result().outcome(), run.result().diagnosis());
        assertEquals(".".repeat(20) + "\n", run.serial());
    }

    /** Code that starts every kernel: IDT loaded, both PICs and LINT0 masked, the LAPIC software-enabled. */
    private static ByteBuffer code() {
        ByteBuffer code = ByteBuffer.allocate(IDT + VECTORS * 8).order(ByteOrder.LITTLE_ENDIAN);
        code.put((byte) 0xFA); // cli
        code.put(new byte[] {0x0F, 0x01, 0x1D}).putInt(CODE + IDTR); // lidt [idtr]
        out(code, 0x21, 0xFF);
        out(code, 0xA1, 0xFF);
        store(code, LAPIC + 0x350, 0x10700); // LINT0 masked: the PIC no longer reaches the CPU
        store(code, LAPIC + 0x0F0, 0x1FF); // software enable, spurious vector 0xFF
        return code;
    }

    /** Ends {@code code}: count {@code ticks} interrupts at {@code vector} in HLT, then print a newline and exit 1. */
    private static byte[] kernel(ByteBuffer code, int vector, int ticks) {
        code.put(new byte[] {0x31, (byte) 0xC9}); // xor ecx,ecx
        code.put((byte) 0xFB); // sti
        int loop = code.position();
        code.put((byte) 0xF4); // hlt
        code.put(new byte[] {(byte) 0x83, (byte) 0xF9, (byte) ticks}); // cmp ecx,ticks
        code.put(new byte[] {0x72, (byte) (loop - (code.position() + 2))}); // jb loop
        code.put((byte) 0xFA); // cli
        code.put(new byte[] {(byte) 0xB0, '\n', 0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE}); // print newline
        out(code, 0xF4, 0x00); // isa-debug-exit 0: status 1
        code.put((byte) 0xF4);
        int handler = CODE + code.position();
        code.put(new byte[] {0x41, 0x50, 0x52}); // inc ecx; push eax; push edx
        code.put(new byte[] {(byte) 0xB0, '.', 0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE}); // print '.'
        store(code, LAPIC + 0x0B0, 0); // EOI
        code.put(new byte[] {0x5A, 0x58, (byte) 0xCF}); // pop edx; pop eax; iret
        if (code.position() > IDTR) {
            throw new IllegalStateException("code overruns the IDTR at " + IDTR + ": " + code.position());
        }
        code.position(IDTR);
        code.putShort((short) (VECTORS * 8 - 1)).putInt(CODE + IDT);
        code.position(IDT + vector * 8);
        code.putShort((short) handler).putShort((short) 0x08).put((byte) 0).put((byte) 0x8E).putShort((short) (handler >>> 16));
        return TinyKernel.image(code.array(), 0);
    }

    /** mov dword [address], value */
    private static void store(ByteBuffer code, int address, int value) {
        code.put(new byte[] {(byte) 0xC7, 0x05}).putInt(address).putInt(value);
    }

    /** mov al,value; out port,al */
    private static void out(ByteBuffer code, int port, int value) {
        code.put(new byte[] {(byte) 0xB0, (byte) value, (byte) 0xE6, (byte) port});
    }
}
