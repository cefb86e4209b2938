package dev.twinstep.devices.apic;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.memory.MmioHandler;

/**
 * The I/O APIC at 0xFEC00000 (IOREGSEL at offset 0, IOWIN at 0x10) with 24 redirection entries.
 * Its version register reads 0x20 as QEMU's does (the MP table still names it version 0x11, as
 * SeaBIOS writes it), so it has the directed-EOI register at offset 0x40. Edge inputs latch a rising edge and deliver it once the entry is unmasked
 * (as QEMU does); level inputs deliver while asserted and set remote IRR until the local APIC
 * broadcasts the EOI. Fixed and lowest-priority messages go to the one {@link LocalApic} when it is
 * addressed; an unmasked ExtINT entry on pin 0 lets the 8259's INTR through (see
 * {@link InterruptRouter}). Polarity is stored but, as in QEMU, inputs are taken as active high.
 * Machine thread only.
 */
public final class IoApic implements MachineDevice, MmioHandler, Stateful {
    /** Physical address of the register window. */
    public static final int BASE_ADDRESS = 0xFEC00000;
    public static final int PINS = 24;
    /** Version register: version 0x20 (QEMU's default), maximum redirection entry 23. */
    public static final int VERSION = 0x0017_0020;
    /** The version the MP table reports, as SeaBIOS writes it for QEMU's IOAPIC. */
    public static final int MP_TABLE_VERSION = 0x11;

    static final int OFFSET_REGSEL = 0x00, OFFSET_WINDOW = 0x10, OFFSET_EOI = 0x40;
    static final int REG_ID = 0x00, REG_VERSION = 0x01, REG_ARBITRATION = 0x02, REG_REDIRECTION = 0x10;
    static final long ENTRY_MASKED = 1L << 16;
    static final long ENTRY_LEVEL = 1L << 15;
    static final long ENTRY_REMOTE_IRR = 1L << 14;
    static final long ENTRY_DELIVERY_STATUS = 1L << 12;
    static final long ENTRY_LOGICAL = 1L << 11;
    /** Bits the guest may write: all but delivery status and remote IRR. */
    private static final long ENTRY_WRITABLE = 0xFF00_0000_0001_AFFFL;

    private final LocalApic lapic;
    private final int resetId;
    private final long[] entries = new long[PINS];
    private final IrqLine[] lines = new IrqLine[PINS];
    private int inputLevels;
    private int edgeLatched;
    private int id;
    private int selected;
    private boolean extIntEnabled;

    /**
     * @param lapic  the local APIC that receives the messages
     * @param ioApicId the ID register's value after reset (the MP table must name the same ID)
     */
    public IoApic(LocalApic lapic, int ioApicId) {
        this.lapic = lapic;
        this.resetId = ioApicId & 0xF;
        for (int pin = 0; pin < PINS; pin++) {
            int n = pin;
            lines[pin] = level -> setPin(n, level);
        }
        lapic.setEoiListener(this::endOfInterrupt);
        reset();
    }

    /** The input line of {@code pin} (0-23). */
    public IrqLine pin(int pin) {
        return lines[pin];
    }

    /** The ID programmed in the ID register. */
    public int id() {
        return id;
    }

    /** Whether pin 0 is an unmasked ExtINT entry, so the 8259's INTR reaches the CPU through it. */
    public boolean passesPicInterrupts() {
        return extIntEnabled;
    }

    @Override
    public String name() {
        return "ioapic";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        memory.mapMmio(BASE_ADDRESS, GuestMemory.PAGE_SIZE, this);
    }

    @Override
    public void reset() {
        for (int pin = 0; pin < PINS; pin++) {
            entries[pin] = ENTRY_MASKED;
        }
        edgeLatched = 0;
        id = resetId;
        selected = 0;
        extIntEnabled = false;
    }

    /** Drives input {@code pin}. */
    public void setPin(int pin, boolean level) {
        int bit = 1 << pin;
        boolean wasHigh = (inputLevels & bit) != 0;
        inputLevels = level ? inputLevels | bit : inputLevels & ~bit;
        if ((entries[pin] & ENTRY_LEVEL) == 0) {
            if (level && !wasHigh) {
                edgeLatched |= bit;
            }
        }
        service(pin);
    }

    /** Redirection entry {@code pin} as a 64-bit value; for tests and diagnostics. */
    public long redirectionEntry(int pin) {
        return entries[pin];
    }

    @Override
    public int mmioRead(int offset, int size) {
        switch (offset & 0xFF) {
            case OFFSET_REGSEL:
                return selected;
            case OFFSET_WINDOW:
                return readRegister(selected);
            default:
                return 0;
        }
    }

    @Override
    public void mmioWrite(int offset, int size, int value) {
        switch (offset & 0xFF) {
            case OFFSET_REGSEL:
                selected = value & 0xFF;
                break;
            case OFFSET_WINDOW:
                writeRegister(selected, value);
                break;
            case OFFSET_EOI:
                endOfInterrupt(value & 0xFF);
                break;
            default:
                break;
        }
    }

    private int readRegister(int reg) {
        if (reg >= REG_REDIRECTION && reg < REG_REDIRECTION + 2 * PINS) {
            long entry = entries[(reg - REG_REDIRECTION) >>> 1];
            return (reg & 1) == 0 ? (int) entry : (int) (entry >>> 32);
        }
        switch (reg) {
            case REG_ID:
            case REG_ARBITRATION:
                return id << 24;
            case REG_VERSION:
                return VERSION;
            default:
                return 0;
        }
    }

    private void writeRegister(int reg, int value) {
        if (reg == REG_ID) {
            id = (value >>> 24) & 0xF;
            return;
        }
        if (reg < REG_REDIRECTION || reg >= REG_REDIRECTION + 2 * PINS) {
            return;
        }
        int pin = (reg - REG_REDIRECTION) >>> 1;
        long old = entries[pin];
        long written = (reg & 1) == 0
                ? (old & 0xFFFF_FFFF_0000_0000L) | Integer.toUnsignedLong(value)
                : (old & 0xFFFF_FFFFL) | ((long) value << 32);
        long entry = (written & ENTRY_WRITABLE) | (old & ENTRY_REMOTE_IRR);
        if ((entry & ENTRY_LEVEL) == 0) {
            entry &= ~ENTRY_REMOTE_IRR;
        }
        entries[pin] = entry;
        if (pin == 0) {
            extIntEnabled = (entry & ENTRY_MASKED) == 0 && deliveryMode(entry) == LocalApic.DELIVERY_EXTINT;
        }
        service(pin);
    }

    /** The local APIC's EOI broadcast: clears remote IRR of level entries with that vector. */
    void endOfInterrupt(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long entry = entries[pin];
            if ((entry & ENTRY_REMOTE_IRR) != 0 && (entry & 0xFF) == vector) {
                entries[pin] = entry & ~ENTRY_REMOTE_IRR;
                service(pin);
            }
        }
    }

    private void service(int pin) {
        long entry = entries[pin];
        int bit = 1 << pin;
        if ((entry & ENTRY_MASKED) != 0) {
            return;
        }
        int mode = deliveryMode(entry);
        if (mode == LocalApic.DELIVERY_EXTINT) {
            edgeLatched &= ~bit;
            return;
        }
        boolean level = (entry & ENTRY_LEVEL) != 0;
        if (level) {
            if ((inputLevels & bit) == 0 || (entry & ENTRY_REMOTE_IRR) != 0) {
                return;
            }
        } else {
            if ((edgeLatched & bit) == 0) {
                return;
            }
            edgeLatched &= ~bit;
        }
        int destination = (int) (entry >>> 56);
        if (!lapic.isDestination(destination, (entry & ENTRY_LOGICAL) != 0)) {
            return;
        }
        if (level) {
            entries[pin] = entry | ENTRY_REMOTE_IRR;
        }
        lapic.deliver((int) (entry & 0xFF), mode, level);
    }

    @Override
    public String sectionName() {
        return "ioapic";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /** Saves the redirection table (with remote IRR), the input pin levels and latched edges. */
    @Override
    public void save(StateWriter out) {
        out.putLongs(entries);
        out.putInt(inputLevels);
        out.putInt(edgeLatched);
        out.putByte(id);
        out.putByte(selected);
    }

    /**
     * Restores the table alone. Nothing is delivered while loading: an interrupt sent before the
     * save already sits in the local APIC's own section, and a pending edge waits for its pin's
     * next service as it did on the original.
     */
    @Override
    public void load(StateReader in, int version) {
        long[] saved = in.getLongs();
        StateChecks.inRange("ioapic", "redirection entries", saved.length, PINS, PINS);
        for (int pin = 0; pin < PINS; pin++) {
            if ((saved[pin] & ~(ENTRY_WRITABLE | ENTRY_REMOTE_IRR)) != 0) {
                throw new StateFormatException("ioapic: redirection entry " + pin + " has read-only bits set: "
                        + Long.toHexString(saved[pin]));
            }
        }
        int levels = in.getInt();
        int edges = in.getInt();
        if (((levels | edges) >>> PINS) != 0) {
            throw new StateFormatException("ioapic: pin bits beyond pin " + (PINS - 1));
        }
        System.arraycopy(saved, 0, entries, 0, PINS);
        inputLevels = levels;
        edgeLatched = edges;
        id = StateChecks.bits("ioapic", "id", in.getByte(), 4);
        selected = in.getByte();
        long pin0 = entries[0];
        extIntEnabled = (pin0 & ENTRY_MASKED) == 0 && deliveryMode(pin0) == LocalApic.DELIVERY_EXTINT;
    }

    private static int deliveryMode(long entry) {
        return (int) (entry >>> 8) & 7;
    }
}
