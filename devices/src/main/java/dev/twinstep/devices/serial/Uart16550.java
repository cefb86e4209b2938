package dev.twinstep.devices.serial;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * A National Semiconductor 16550A UART with its eight registers, enough for a guest driving it by
 * polling: transmitted bytes go straight to the {@link SerialBackend} (the transmitter is always
 * ready, so LSR reports THRE and TEMT), received bytes wait in a 16-byte FIFO. Interrupts are
 * computed in IIR but the IRQ line is not wired yet.
 *
 * <p>Register offsets: 0 RBR/THR (DLL with DLAB), 1 IER (DLM with DLAB), 2 IIR/FCR, 3 LCR, 4 MCR,
 * 5 LSR, 6 MSR, 7 SCR.
 */
public final class Uart16550 implements MachineDevice, IoPortHandler {
    /** COM1's base port and port count. */
    public static final int COM1_PORT = 0x3F8;
    public static final int PORT_COUNT = 8;

    static final int LCR_DLAB = 0x80;
    static final int LSR_DATA_READY = 0x01, LSR_OVERRUN = 0x02, LSR_THR_EMPTY = 0x20, LSR_TRANSMITTER_EMPTY = 0x40;
    static final int IER_RX_AVAILABLE = 0x01, IER_THR_EMPTY = 0x02;
    static final int IIR_NO_INTERRUPT = 0x01, IIR_THR_EMPTY = 0x02, IIR_RX_AVAILABLE = 0x04, IIR_FIFOS_ENABLED = 0xC0;
    static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
    static final int MCR_LOOPBACK = 0x10;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08;
    static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    private static final int FIFO_BYTES = 16;

    private final String name;
    private final int basePort;
    private final SerialBackend backend;

    private int ier, lcr, mcr, scr, msr;
    private int divisor;
    private boolean fifoEnabled;
    private int lsrErrors;
    /** The transmitter-empty interrupt is pending until IIR is read or THR written. */
    private boolean thrEmptyPending;
    private final byte[] rxFifo = new byte[FIFO_BYTES];
    private int rxHead, rxCount;

    public Uart16550(String name, int basePort, SerialBackend backend) {
        this.name = name;
        this.basePort = basePort;
        this.backend = backend;
        reset();
    }

    /** COM1 at 0x3F8. */
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
        msr = MSR_DCD | MSR_DSR | MSR_CTS; // a null-modem host is always there
        divisor = 12; // 9600 baud
        fifoEnabled = false;
        lsrErrors = 0;
        thrEmptyPending = false;
        rxHead = 0;
        rxCount = 0;
    }

    @Override
    public void flush() {
        backend.flush();
    }

    /** Queues a byte from the host for the guest to read; dropped with an overrun when the FIFO is full. */
    public void receive(int value) {
        int capacity = fifoEnabled ? FIFO_BYTES : 1;
        if (rxCount >= capacity) {
            lsrErrors |= LSR_OVERRUN;
            return;
        }
        rxFifo[(rxHead + rxCount) % FIFO_BYTES] = (byte) value;
        rxCount++;
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
                    boolean thrInterruptTurnedOn = (ier & IER_THR_EMPTY) == 0 && (value & IER_THR_EMPTY) != 0;
                    ier = value & 0x0F;
                    if (thrInterruptTurnedOn) {
                        thrEmptyPending = true;
                    }
                }
                break;
            case 2:
                writeFifoControl(value);
                break;
            case 3:
                lcr = value;
                break;
            case 4:
                mcr = value & 0x1F;
                break;
            case 5:
                break; // LSR is read-only (factory test writes are ignored, as QEMU does)
            case 6:
                break;
            default:
                scr = value;
                break;
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
        return value;
    }

    private int readInterruptIdentification() {
        int fifoBits = fifoEnabled ? IIR_FIFOS_ENABLED : 0;
        if ((ier & IER_RX_AVAILABLE) != 0 && rxCount > 0) {
            return fifoBits | IIR_RX_AVAILABLE;
        }
        if (thrEmptyPending) {
            thrEmptyPending = false; // reading IIR acknowledges the THR-empty interrupt
            return fifoBits | IIR_THR_EMPTY;
        }
        return fifoBits | IIR_NO_INTERRUPT;
    }

    private int readLineStatus() {
        int value = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY | lsrErrors;
        if (rxCount > 0) {
            value |= LSR_DATA_READY;
        }
        lsrErrors = 0; // error bits clear on read
        return value;
    }

    private int readModemStatus() {
        if ((mcr & MCR_LOOPBACK) != 0) {
            // In loopback the modem inputs are wired to the outputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
            return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                    | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
        }
        return msr;
    }

    private void writeFifoControl(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        if (enable != fifoEnabled || (value & FCR_CLEAR_RX) != 0) {
            rxHead = 0;
            rxCount = 0;
        }
        fifoEnabled = enable;
    }

    /** The divisor latch (baud = 115200 / divisor); for tests and diagnostics. */
    public int divisor() {
        return divisor;
    }
}
