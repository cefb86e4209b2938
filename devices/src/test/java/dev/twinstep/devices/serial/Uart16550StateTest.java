package dev.twinstep.devices.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.state.MemoryState;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The UART section: registers, FIFO contents, pending interrupts and the character timeout survive a load. */
class Uart16550StateTest {
    private static final int COM1 = Uart16550.COM1_PORT;
    private static final int RBR = COM1, IER = COM1 + 1, IIR = COM1 + 2, FCR = COM1 + 2, LCR = COM1 + 3,
            LSR = COM1 + 5, SCR = COM1 + 7;

    /** A COM1 on its own clock and bus. */
    private static final class Rig {
        final long[] nanos = {0};
        final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> nanos[0]);
        final IoBus io = new IoBus();
        boolean irq;
        final Uart16550 uart;

        Rig() {
            uart = new Uart16550("serial0", COM1, new StreamSerialBackend(new ByteArrayOutputStream(), false),
                    level -> irq = level, clock);
            uart.attach(io, new GuestMemory(2L * 1024 * 1024));
        }

        void advanceTo(long at) {
            nanos[0] = at;
            clock.runDueTimers();
        }
    }

    private static Rig programmed() {
        Rig rig = new Rig();
        rig.io.write(LCR, 1, 0x80);
        rig.io.write(RBR, 1, 0x03); // 38400 baud
        rig.io.write(LCR, 1, 0x1B);
        rig.io.write(FCR, 1, 0x81); // FIFO on, trigger at 8 bytes
        rig.io.write(IER, 1, 0x01);
        rig.io.write(SCR, 1, 0x77);
        return rig;
    }

    @Test
    void shouldBeNamedByItsStandardPort() {
        assertEquals("com1", new Rig().uart.sectionName());
        assertEquals("com2", new Uart16550("serial1", Uart16550.COM2_PORT,
                new StreamSerialBackend(new ByteArrayOutputStream(), false)).sectionName());
    }

    @Test
    void shouldKeepReceivedBytesInOrderAndTheTimeoutInterrupt() {
        Rig original = programmed();
        original.uart.receive('h');
        original.uart.receive('i');
        original.uart.receive('!');
        byte[] section = MemoryState.save(original.uart);

        Rig restored = new Rig();
        MemoryState.load(restored.uart, section);
        assertArrayEquals(section, MemoryState.save(restored.uart));
        assertFalse(restored.irq, "below the trigger level, before the timeout");
        assertEquals(0x1B, restored.io.read(LCR, 1));
        assertEquals(0x77, restored.io.read(SCR, 1));

        original.advanceTo(10_000_000L);
        restored.advanceTo(10_000_000L);
        assertTrue(restored.irq, "the character timeout was re-armed");
        assertEquals(original.io.read(IIR, 1), restored.io.read(IIR, 1));
        assertEquals('h', restored.io.read(RBR, 1));
        assertEquals('i', restored.io.read(RBR, 1));
        assertEquals('!', restored.io.read(RBR, 1));
        assertEquals(0, restored.io.read(LSR, 1) & 0x01);
    }

    @Test
    void shouldKeepAPendingReceiveInterruptRaised() {
        Rig original = programmed();
        for (int i = 0; i < 8; i++) {
            original.uart.receive('0' + i);
        }
        assertTrue(original.irq);
        Rig restored = new Rig();
        MemoryState.load(restored.uart, MemoryState.save(original.uart));
        assertTrue(restored.irq);
        assertEquals(0xC4, restored.io.read(IIR, 1));
    }

    @Test
    void shouldRefuseAReceiveFifoLongerThanTheChipHas() {
        Rig original = programmed();
        for (int i = 0; i < 16; i++) {
            original.uart.receive(i);
        }
        byte[] section = MemoryState.save(original.uart);
        // The FIFO length is the int after 11 bytes of registers, divisor and flags.
        int lengthOffset = 5 + 4 + 1 + 1 + 1 + 1 + 1;
        section[lengthOffset + 3] = 17;
        assertThrows(StateFormatException.class, () -> MemoryState.load(new Rig().uart, section));
    }
}
