package dev.twinstep.devices.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 16550A's interrupt sources, their IIR priorities and the IRQ line, as an interrupt-driven driver sees them. */
class Uart16550InterruptTest {
    private static final int COM2 = 0x2F8;
    private static final int RBR = COM2, IER = COM2 + 1, IIR = COM2 + 2, FCR = COM2 + 2, LCR = COM2 + 3, MCR = COM2 + 4,
            LSR = COM2 + 5, MSR = COM2 + 6;

    private final long[] instructions = {0};
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> instructions[0]);
    private final IoBus io = new IoBus();
    private boolean irq;
    private int risingEdges;
    private Uart16550 uart;

    @BeforeEach
    void attachAsCom2() {
        uart = new Uart16550("serial1", COM2, new StreamSerialBackend(new ByteArrayOutputStream(), false), level -> {
            if (level && !irq) {
                risingEdges++;
            }
            irq = level;
        }, clock);
        uart.attach(io, new GuestMemory(2L * 1024 * 1024));
        io.write(LCR, 1, 0x80);
        io.write(RBR, 1, 0x01); // 115200 baud
        io.write(IER, 1, 0x00);
        io.write(LCR, 1, 0x03);
    }

    private void advanceTo(long nanos) {
        instructions[0] = nanos;
        clock.runDueTimers();
    }

    @Test
    void shouldRaiseTheLineForReceivedDataAndLowerItWhenTheByteIsRead() {
        io.write(IER, 1, 0x01);
        assertFalse(irq);
        uart.receive('a');
        assertTrue(irq);
        assertEquals(0x04, io.read(IIR, 1));
        assertEquals('a', io.read(RBR, 1));
        assertFalse(irq);
        assertEquals(0x01, io.read(IIR, 1));
    }

    @Test
    void shouldWaitForTheFifoTriggerLevelAndThenTimeOutOnFewerBytes() {
        io.write(FCR, 1, 0x81); // FIFO on, trigger level 8
        io.write(IER, 1, 0x01);
        for (int i = 0; i < 7; i++) {
            uart.receive(i);
        }
        assertFalse(irq, "7 bytes are below the trigger level");
        uart.receive(7);
        assertTrue(irq);
        assertEquals(0xC4, io.read(IIR, 1), "received data available, FIFOs on");
        io.read(RBR, 1);
        assertFalse(irq, "back below the trigger");
        advanceTo(4 * 87_000); // four character times at 115200 baud (10 bits each: 86.8 us)
        assertTrue(irq, "character timeout");
        assertEquals(0xCC, io.read(IIR, 1));
        io.read(RBR, 1);
        assertFalse(irq, "reading a byte clears the timeout");
    }

    @Test
    void shouldRaiseTransmitterEmptyWhenEnabledAndAgainAfterEachByte() {
        io.write(IER, 1, 0x02);
        assertTrue(irq);
        assertEquals(0x02, io.read(IIR, 1));
        assertFalse(irq, "reading IIR acknowledged it");
        io.write(RBR, 1, 'x');
        assertTrue(irq, "THR is empty again after the byte left");
        assertEquals(2, risingEdges);
    }

    @Test
    void shouldGiveLineStatusPriorityOverReceivedData() {
        io.write(IER, 1, 0x05);
        uart.receive('a');
        uart.receive('b'); // no FIFO: overrun
        assertEquals(0x06, io.read(IIR, 1));
        assertEquals(0x03, io.read(LSR, 1) & 0x03, "data ready and overrun");
        assertEquals(0x04, io.read(IIR, 1), "then the received byte");
    }

    @Test
    void shouldReportModemStatusChangesAtTheLowestPriority() {
        io.write(IER, 1, 0x0A);
        io.read(IIR, 1); // consume THRE
        io.write(MCR, 1, 0x10); // loopback with all outputs off: CTS, DSR, DCD fall
        assertTrue(irq);
        assertEquals(0x00, io.read(IIR, 1));
        assertEquals(0x0B, io.read(MSR, 1) & 0x0F);
        assertFalse(irq);
    }

    @Test
    void shouldPullHostInputOnlyWhileTheFifoHasRoom() {
        int[] queued = {'h', 'i', '!'};
        int[] next = {0};
        SerialBackend host = new SerialBackend() {
            @Override
            public void transmit(int value) {
            }

            @Override
            public void flush() {
            }

            @Override
            public boolean startInput(Runnable inputAvailable) {
                return true;
            }

            @Override
            public int pollInput() {
                return next[0] < queued.length ? queued[next[0]++] : -1;
            }

            @Override
            public void close() {
            }
        };
        Uart16550 com1 = new Uart16550("serial0", Uart16550.COM1_PORT, host, level -> { }, clock);
        IoBus bus = new IoBus();
        com1.attach(bus, new GuestMemory(2L * 1024 * 1024));
        dev.twinstep.core.machine.MachineEvents events = new dev.twinstep.core.machine.MachineEvents();
        com1.connectInput(events);
        assertTrue(events.hasSources());
        com1.write(2, 0x00); // no FIFO: one byte at a time, pulled as the guest reads
        assertEquals('h', com1.read(0));
        assertEquals('i', com1.read(0));
        assertEquals('!', com1.read(0));
        assertEquals(0, com1.read(5) & 0x03, "no data, and nothing was lost to an overrun");
    }
}
