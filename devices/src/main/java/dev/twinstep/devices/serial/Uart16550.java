package dev.twinstep.devices.serial;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.clock.Timer;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.machine.MachineEvents;
import dev.twinstep.core.memory.GuestMemory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A National Semiconductor 16550A UART: 16-byte receive FIFO with trigger levels 1/4/8/14, the five
 * interrupt sources in IIR priority order (line status, received data, character timeout, transmitter
 * empty, modem status), loopback, and the modem control/status lines with their delta bits.
 *
 * <p>Transmission takes no time: a byte written to THR goes straight to the {@link SerialBackend} and
 * THR is empty again at once (QEMU behaves the same when its back end accepts the byte). Received
 * bytes come from the back end's input queue, pulled on the machine thread while the FIFO has room.
 * The interrupt output goes straight to the IRQ line (QEMU does not gate it with OUT2 either).
 *
 * <p>Register offsets: 0 RBR/THR (DLL with DLAB), 1 IER (DLM with DLAB), 2 IIR/FCR, 3 LCR, 4 MCR,
 * 5 LSR, 6 MSR, 7 SCR.
 */
public final class Uart16550 implements MachineDevice, IoPortHandler, Stateful {
    /** COM1's and COM2's base ports and IRQs, and the port count. */
    public static final int COM1_PORT = 0x3F8, COM1_IRQ = 4, COM2_PORT = 0x2F8, COM2_IRQ = 3;
    public static final int PORT_COUNT = 8;

    static final int LCR_DLAB = 0x80;
    static final int LSR_DATA_READY = 0x01, LSR_OVERRUN = 0x02, LSR_ERRORS = 0x1E, LSR_THR_EMPTY = 0x20,
            LSR_TRANSMITTER_EMPTY = 0x40;
    static final int IER_RX_AVAILABLE = 0x01, IER_THR_EMPTY = 0x02, IER_LINE_STATUS = 0x04, IER_MODEM_STATUS = 0x08;
    static final int IIR_NO_INTERRUPT = 0x01, IIR_MODEM_STATUS = 0x00, IIR_THR_EMPTY = 0x02, IIR_RX_AVAILABLE = 0x04,
            IIR_LINE_STATUS = 0x06, IIR_CHAR_TIMEOUT = 0x0C, IIR_FIFOS_ENABLED = 0xC0;
    static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOPBACK = 0x10;
    static final int MSR_DELTA_CTS = 0x01, MSR_DELTA_DSR = 0x02, MSR_TRAILING_RI = 0x04, MSR_DELTA_DCD = 0x08,
            MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    /** What a null-modem host always presents: carrier, data set ready, clear to send. */
    private static final int HOST_MODEM_LINES = MSR_DCD | MSR_DSR | MSR_CTS;
    private static final int FIFO_BYTES = 16;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};
    private static final long UART_CLOCK_HZ = 115_200;

    private final String name;
    private final int basePort;
    private final SerialBackend backend;
    private final IrqLine irq;
    private final VirtualClock clock;
    private final Timer charTimeout;
    private final AtomicBoolean inputPosted = new AtomicBoolean();
    private final Runnable pullInputTask = this::pullInput;

    private int ier, lcr, mcr, scr;
    /** Modem status: line states in bits 4-7, deltas in bits 0-3. */
    private int msr;
    private int divisor;
    private boolean fifoEnabled;
    private int triggerLevel;
    private int lsrErrors;
    private boolean thrEmptyPending;
    private boolean timeoutPending;
    private boolean irqLevel;
    private final byte[] rxFifo = new byte[FIFO_BYTES];
    private int rxHead, rxCount;

    /**
     * @param irq   the interrupt line (IRQ 4 for COM1, 3 for COM2)
     * @param clock the virtual clock for the character timeout; null: the timeout never fires
     */
    public Uart16550(String name, int basePort, SerialBackend backend, IrqLine irq, VirtualClock clock) {
        this.name = name;
        this.basePort = basePort;
        this.backend = backend;
        this.irq = irq;
        this.clock = clock;
        this.charTimeout = clock == null ? null : clock.newTimer(name + "-timeout", deadline -> characterTimeout());
        reset();
    }

    /** A UART without an interrupt line or clock, for polled use. */
    public Uart16550(String name, int basePort, SerialBackend backend) {
        this(name, basePort, backend, IrqLine.NONE, null);
    }

    /** COM1 at 0x3F8 without an interrupt line (polled guests, benchmarks). */
    public static Uart16550 com1(SerialBackend backend) {
        return new Uart16550("serial0", COM1_PORT, backend);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(basePort, PORT_COUNT, this, name);
    }

    /**
     * Starts host input: the back end's I/O thread posts a pull to the machine thread through
     * {@code events} whenever bytes arrive. Call once, after {@link #attach}.
     */
    public void connectInput(MachineEvents events) {
        boolean hasInput = backend.startInput(() -> {
            if (inputPosted.compareAndSet(false, true)) {
                events.post(pullInputTask);
            }
        });
        if (hasInput) {
            events.registerSource();
        }
    }

    @Override
    public int ioRead(int offset, int size) {
        return read(offset);
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        write(offset, value);
    }

    @Override
    public void reset() {
        ier = 0;
        lcr = 0x03; // 8N1, what firmware leaves and what a guest that does not program the UART assumes
        mcr = 0;
        scr = 0;
        msr = HOST_MODEM_LINES;
        divisor = 12; // 9600 baud
        fifoEnabled = false;
        triggerLevel = 1;
        lsrErrors = 0;
        thrEmptyPending = false;
        timeoutPending = false;
        rxHead = 0;
        rxCount = 0;
        if (charTimeout != null) {
            charTimeout.cancel();
        }
        updateIrq();
    }

    @Override
    public void flush() {
        backend.flush();
    }

    /** Queues a byte for the guest to read; dropped with an overrun when the FIFO (or holding register) is full. */
    public void receive(int value) {
        if (rxCount >= capacity()) {
            lsrErrors |= LSR_OVERRUN;
            updateIrq();
            return;
        }
        rxFifo[(rxHead + rxCount) % FIFO_BYTES] = (byte) value;
        rxCount++;
        restartCharTimeout();
        updateIrq();
    }

    private int capacity() {
        return fifoEnabled ? FIFO_BYTES : 1;
    }

    /** Machine thread: moves queued host input into the FIFO while it has room. */
    private void pullInput() {
        inputPosted.set(false);
        if ((mcr & MCR_LOOPBACK) != 0) {
            return; // in loopback the receiver is cut off from the line; input waits
        }
        while (rxCount < capacity()) {
            int value = backend.pollInput();
            if (value < 0) {
                return;
            }
            receive(value);
        }
    }

    /** Reads register {@code offset} (0-7) as the guest's IN would. */
    public int read(int offset) {
        switch (offset & 7) {
            case 0:
                return (lcr & LCR_DLAB) != 0 ? divisor & 0xFF : readReceiver();
            case 1:
                return (lcr & LCR_DLAB) != 0 ? (divisor >>> 8) & 0xFF : ier;
            case 2:
                return readInterruptIdentification();
            case 3:
                return lcr;
            case 4:
                return mcr;
            case 5:
                return readLineStatus();
            case 6:
                return readModemStatus();
            default:
                return scr;
        }
    }

    /** Writes register {@code offset} (0-7) as the guest's OUT would. */
    public void write(int offset, int value) {
        value &= 0xFF;
        switch (offset & 7) {
            case 0:
                if ((lcr & LCR_DLAB) != 0) {
                    divisor = (divisor & 0xFF00) | value;
                } else {
                    transmit(value);
                }
                break;
            case 1:
                if ((lcr & LCR_DLAB) != 0) {
                    divisor = (divisor & 0x00FF) | (value << 8);
                } else {
                    writeInterruptEnable(value);
                }
                break;
            case 2:
                writeFifoControl(value);
                break;
            case 3:
                lcr = value;
                break;
            case 4:
                writeModemControl(value);
                break;
            case 5:
            case 6:
                break; // LSR and MSR are read-only (factory test writes are ignored, as QEMU does)
            default:
                scr = value;
                break;
        }
        updateIrq();
    }

    private void writeInterruptEnable(int value) {
        boolean thrInterruptTurnedOn = (ier & IER_THR_EMPTY) == 0 && (value & IER_THR_EMPTY) != 0;
        ier = value & 0x0F;
        if (thrInterruptTurnedOn) {
            // THR is always empty here, so enabling the interrupt raises it at once (as a 16550A does).
            thrEmptyPending = true;
        }
    }

    private void transmit(int value) {
        if ((mcr & MCR_LOOPBACK) != 0) {
            receive(value);
        } else {
            backend.transmit(value);
        }
        // The byte leaves at once, so the holding register is empty again straight away.
        thrEmptyPending = (ier & IER_THR_EMPTY) != 0;
    }

    private int readReceiver() {
        if (rxCount == 0) {
            return 0;
        }
        int value = rxFifo[rxHead] & 0xFF;
        rxHead = (rxHead + 1) % FIFO_BYTES;
        rxCount--;
        timeoutPending = false;
        if (rxCount > 0) {
            restartCharTimeout();
        } else if (charTimeout != null) {
            charTimeout.cancel();
        }
        pullInput();
        updateIrq();
        return value;
    }

    /** The highest-priority pending source, as IIR bits 0-3. */
    private int pendingSource() {
        if ((ier & IER_LINE_STATUS) != 0 && (lsrErrors & LSR_ERRORS) != 0) {
            return IIR_LINE_STATUS;
        }
        if ((ier & IER_RX_AVAILABLE) != 0) {
            if (rxCount > 0 && rxCount >= (fifoEnabled ? triggerLevel : 1)) {
                return IIR_RX_AVAILABLE;
            }
            if (timeoutPending) {
                return IIR_CHAR_TIMEOUT;
            }
        }
        if ((ier & IER_THR_EMPTY) != 0 && thrEmptyPending) {
            return IIR_THR_EMPTY;
        }
        if ((ier & IER_MODEM_STATUS) != 0 && (msr & 0x0F) != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    private int readInterruptIdentification() {
        int source = pendingSource();
        if (source == IIR_THR_EMPTY) {
            thrEmptyPending = false; // reading IIR acknowledges the THR-empty interrupt
            updateIrq();
        }
        return (fifoEnabled ? IIR_FIFOS_ENABLED : 0) | source;
    }

    private int readLineStatus() {
        int value = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY | lsrErrors;
        if (rxCount > 0) {
            value |= LSR_DATA_READY;
        }
        lsrErrors = 0; // error bits (and the line-status interrupt) clear on read
        updateIrq();
        return value;
    }

    private int readModemStatus() {
        int value = msr;
        msr &= 0xF0; // the delta bits (and the modem-status interrupt) clear on read
        updateIrq();
        return value;
    }

    private void writeModemControl(int value) {
        boolean loopbackBefore = (mcr & MCR_LOOPBACK) != 0;
        mcr = value & 0x1F;
        setModemLines((mcr & MCR_LOOPBACK) != 0 ? loopbackLines() : HOST_MODEM_LINES);
        if (loopbackBefore && (mcr & MCR_LOOPBACK) == 0) {
            pullInput();
        }
    }

    /** In loopback the modem inputs are wired to the outputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
    private int loopbackLines() {
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private void setModemLines(int lines) {
        int changed = (msr ^ lines) & 0xF0;
        int deltas = 0;
        if ((changed & MSR_CTS) != 0) {
            deltas |= MSR_DELTA_CTS;
        }
        if ((changed & MSR_DSR) != 0) {
            deltas |= MSR_DELTA_DSR;
        }
        if ((changed & MSR_RI) != 0 && (lines & MSR_RI) == 0) {
            deltas |= MSR_TRAILING_RI; // only the trailing edge of ring indicate counts
        }
        if ((changed & MSR_DCD) != 0) {
            deltas |= MSR_DELTA_DCD;
        }
        msr = lines | (msr & 0x0F) | deltas;
    }

    private void writeFifoControl(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        if (enable != fifoEnabled || (value & FCR_CLEAR_RX) != 0) {
            rxHead = 0;
            rxCount = 0;
            timeoutPending = false;
            if (charTimeout != null) {
                charTimeout.cancel();
            }
        }
        fifoEnabled = enable;
        if (enable) {
            triggerLevel = TRIGGER_LEVELS[value >>> 6];
        }
        pullInput();
    }

    /** Four character times after the last FIFO activity, bytes still waiting raise the timeout. */
    private void restartCharTimeout() {
        if (charTimeout == null || !fifoEnabled) {
            return;
        }
        charTimeout.armIn(4 * characterNanos());
    }

    /** How long one character takes on the line: start bit, data bits, parity, stop bits. */
    private long characterNanos() {
        int bits = 1 + 5 + (lcr & 3) + ((lcr & 0x08) != 0 ? 1 : 0) + ((lcr & 0x04) != 0 ? 2 : 1);
        long baudDivisor = divisor == 0 ? 0x10000 : divisor;
        return bits * baudDivisor * 1_000_000_000L / UART_CLOCK_HZ;
    }

    private void characterTimeout() {
        if (rxCount > 0 && fifoEnabled) {
            timeoutPending = true;
            updateIrq();
        }
    }

    private void updateIrq() {
        boolean level = pendingSource() != IIR_NO_INTERRUPT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.setLevel(level);
        }
    }

    /** "com1" or "com2" by the standard port; another base port gets a name of its own. */
    @Override
    public String sectionName() {
        if (basePort == COM1_PORT) {
            return "com1";
        }
        return basePort == COM2_PORT ? "com2" : String.format("uart@%x", basePort);
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /** Saves registers, pending interrupt causes, the receive FIFO's bytes and the timeout deadline. */
    @Override
    public void save(StateWriter out) {
        out.putByte(ier);
        out.putByte(lcr);
        out.putByte(mcr);
        out.putByte(scr);
        out.putByte(msr);
        out.putInt(divisor);
        out.putBoolean(fifoEnabled);
        out.putByte(triggerLevel);
        out.putByte(lsrErrors);
        out.putBoolean(thrEmptyPending);
        out.putBoolean(timeoutPending);
        byte[] received = new byte[rxCount];
        for (int i = 0; i < rxCount; i++) {
            received[i] = rxFifo[(rxHead + i) % FIFO_BYTES];
        }
        out.putBytes(received);
        boolean armed = charTimeout != null && charTimeout.isArmed();
        out.putBoolean(armed);
        out.putLong(armed ? charTimeout.deadline() : 0);
    }

    /** Restores this UART alone; the back end keeps its host side, and the IRQ line is re-driven. */
    @Override
    public void load(StateReader in, int version) {
        String section = sectionName();
        ier = StateChecks.bits(section, "IER", in.getByte(), 4);
        lcr = in.getByte();
        mcr = StateChecks.bits(section, "MCR", in.getByte(), 5);
        scr = in.getByte();
        msr = in.getByte();
        divisor = StateChecks.bits(section, "divisor", in.getInt(), 16);
        fifoEnabled = in.getBoolean();
        triggerLevel = in.getByte();
        if (triggerLevel != 1 && triggerLevel != 4 && triggerLevel != 8 && triggerLevel != 14) {
            throw new StateFormatException(section + ": FIFO trigger level " + triggerLevel + " does not exist");
        }
        lsrErrors = in.getByte();
        if ((lsrErrors & ~LSR_ERRORS) != 0) {
            throw new StateFormatException(section + ": line status errors " + lsrErrors + " out of range");
        }
        thrEmptyPending = in.getBoolean();
        timeoutPending = in.getBoolean();
        byte[] received = in.getBytes();
        StateChecks.inRange(section, "receive FIFO length", received.length, 0, FIFO_BYTES);
        System.arraycopy(received, 0, rxFifo, 0, received.length);
        rxHead = 0;
        rxCount = received.length;
        boolean armed = in.getBoolean();
        long deadline = StateChecks.nonNegative(section, "timeout deadline", in.getLong());
        if (charTimeout != null) {
            if (armed) {
                charTimeout.armAt(deadline);
            } else {
                charTimeout.cancel();
            }
        }
        irqLevel = pendingSource() != IIR_NO_INTERRUPT;
        irq.setLevel(irqLevel);
    }

    /** The divisor latch (baud = 115200 / divisor); for tests and diagnostics. */
    public int divisor() {
        return divisor;
    }
}
