package dev.twinstep.devices.pci;

import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.devices.state.StateChecks;

/**
 * One PCI function with a type-0 configuration header: identity registers, the command register, up to
 * six I/O BARs that answer the all-ones sizing probe, and the interrupt line/pin registers. Subclasses
 * add device behaviour; the {@link PciBus} routes configuration cycles and I/O BAR accesses here.
 *
 * <p>Twinstep has no BIOS, so a function starts the way SeaBIOS leaves it under QEMU's {@code pc}
 * machine: BARs assigned, I/O and memory decoding enabled, the interrupt line set to the PIC IRQ its
 * PIRQ link is routed to. Machine thread only.
 */
public abstract class PciFunction {
    /** Command register bit: the function decodes its I/O BARs. */
    public static final int COMMAND_IO = 0x1;
    /** Command register bit: the function decodes its memory BARs. */
    public static final int COMMAND_MEMORY = 0x2;
    /** Command register bit: the function may master the bus (DMA). */
    public static final int COMMAND_BUS_MASTER = 0x4;
    /** Command register bit: SERR# reporting, which SeaBIOS enables. */
    public static final int COMMAND_SERR = 0x100;
    /** Command register bit: INTx is disabled (PCI 2.3). */
    public static final int COMMAND_INTX_DISABLE = 0x400;
    static final int STATUS_INTERRUPT = 0x8;

    private static final int REG_COMMAND = 0x04;
    private static final int REG_BAR0 = 0x10;
    private static final int REG_INTERRUPT_LINE = 0x3C;

    private final byte[] config = new byte[256];
    private final int[] barSize = new int[6];
    private final int[] barPowerOn = new int[6];
    private final int commandPowerOn;
    private final int interruptPinPowerOn;
    private int interruptLinePowerOn;
    private boolean intxLevel;
    PciBus.IntxPin intx;

    /**
     * @param classCode base class, sub-class and programming interface as one 24-bit value
     * @param command   the command register as firmware leaves it
     * @param interruptPin 0 for none, 1-4 for INTA#-INTD#
     */
    protected PciFunction(int vendorId, int deviceId, int revision, int classCode, int subsystemVendor,
            int subsystemId, int command, int interruptPin) {
        put16(0x00, vendorId);
        put16(0x02, deviceId);
        put32(0x08, (classCode << 8) | (revision & 0xFF));
        put16(0x2C, subsystemVendor);
        put16(0x2E, subsystemId);
        this.commandPowerOn = command;
        this.interruptPinPowerOn = interruptPin;
        put16(REG_COMMAND, command);
        config[0x3D] = (byte) interruptPin;
    }

    /** Declares I/O BAR {@code index} of {@code size} bytes (a power of two, at least 4) at {@code base}. */
    protected final void defineIoBar(int index, int size, int base) {
        if (Integer.bitCount(size) != 1 || size < 4) {
            throw new IllegalArgumentException("I/O BAR size must be a power of two >= 4: " + size);
        }
        barSize[index] = size;
        barPowerOn[index] = (base & ~(size - 1)) | 1;
        put32(REG_BAR0 + 4 * index, barPowerOn[index]);
    }

    /** Sets the header-type register (bit 7: multi-function device). */
    protected final void setHeaderType(int headerType) {
        config[0x0E] = (byte) headerType;
    }

    /** Sets a device-specific configuration register that reads back as firmware left it. */
    protected final void setConfig32(int register, int value) {
        put32(register, value);
    }

    /** Called by the bus when the function is plugged in: where its INTx pin goes, and the IRQ it reaches. */
    final void connect(PciBus.IntxPin pin, int picIrq) {
        this.intx = pin;
        this.interruptLinePowerOn = picIrq;
        config[REG_INTERRUPT_LINE] = (byte) picIrq;
    }

    /** Registers whatever the function needs besides configuration space (DMA memory, I/O threads). */
    protected void attach(GuestMemory memory) {
    }

    /** Returns the configuration header to its firmware-initialised state; subclasses reset their device. */
    protected void reset() {
        put16(REG_COMMAND, commandPowerOn);
        put16(0x06, 0);
        for (int i = 0; i < 6; i++) {
            if (barSize[i] != 0) {
                put32(REG_BAR0 + 4 * i, barPowerOn[i]);
            }
        }
        config[REG_INTERRUPT_LINE] = (byte) interruptLinePowerOn;
        config[0x3D] = (byte) interruptPinPowerOn;
        setIntx(false);
    }

    /** Reads {@code size} bytes of configuration space at {@code register} (aligned to the size). */
    public final int configRead(int register, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= (config[(register + i) & 0xFF] & 0xFF) << (8 * i);
        }
        return value;
    }

    /** Writes configuration space: only the command register, BARs and interrupt line are writable here. */
    public final void configWrite(int register, int size, int value) {
        for (int i = 0; i < size; i++) {
            int reg = (register + i) & 0xFF;
            int b = (value >>> (8 * i)) & 0xFF;
            if (reg >= REG_BAR0 && reg < REG_BAR0 + 24) {
                writeBarByte(reg, b);
            } else if (reg == REG_COMMAND) {
                config[reg] = (byte) (b & 0x07);
            } else if (reg == REG_COMMAND + 1) {
                config[reg] = (byte) (b & 0x05);
            } else if (reg == REG_INTERRUPT_LINE) {
                config[reg] = (byte) b;
            } else if (reg == 0x06 || reg == 0x07) {
                config[reg] &= (byte) ~b; // status bits are write-one-to-clear; ours never latch
            } else if (isDeviceRegisterWritable(reg)) {
                config[reg] = (byte) b;
            }
        }
        refreshIntxStatus();
    }

    /** Device-specific registers (0x40 and up) a subclass lets the guest write. */
    protected boolean isDeviceRegisterWritable(int register) {
        return false;
    }

    private void writeBarByte(int reg, int b) {
        int index = (reg - REG_BAR0) >>> 2;
        int size = barSize[index];
        if (size == 0) {
            return; // an unimplemented BAR is hard-wired to zero, which tells the sizing probe so
        }
        int shift = 8 * ((reg - REG_BAR0) & 3);
        int bar = get32(REG_BAR0 + 4 * index);
        bar = (bar & ~(0xFF << shift)) | (b << shift);
        // The bits below the size read as zero, which is how the sizing probe learns it. The upper 16
        // bits are kept (as QEMU does); a BAR placed beyond the 64 KiB I/O space just does not decode.
        put32(REG_BAR0 + 4 * index, (bar & ~(size - 1)) | 1);
    }

    /** The command register. */
    public final int command() {
        return get16(REG_COMMAND);
    }

    /** The I/O base of BAR {@code index}, or -1 when I/O decoding is off or the BAR is not an I/O BAR. */
    public final int ioBarBase(int index) {
        if (barSize[index] == 0 || (command() & COMMAND_IO) == 0) {
            return -1;
        }
        long base = get32(REG_BAR0 + 4 * index) & ~(barSize[index] - 1) & 0xFFFF_FFFFL;
        return base + barSize[index] > 0x1_0000 ? -1 : (int) base;
    }

    /** The size of I/O BAR {@code index}, 0 if there is none. */
    public final int ioBarSize(int index) {
        return barSize[index];
    }

    /** Whether bus mastering (DMA) is enabled. Devices that respect it check before touching RAM. */
    public final boolean busMasterEnabled() {
        return (command() & COMMAND_BUS_MASTER) != 0;
    }

    /** Sets the bus-master bit on the function's own initiative (a device quirk, not a guest write). */
    protected final void enableBusMaster() {
        put16(REG_COMMAND, command() | COMMAND_BUS_MASTER);
    }

    /** The interrupt line register as the guest sees it. */
    public final int interruptLine() {
        return config[REG_INTERRUPT_LINE] & 0xFF;
    }

    /** Drives the function's INTx pin (level-sensitive, shared); masked by the command register. */
    protected final void setIntx(boolean level) {
        intxLevel = level;
        refreshIntxStatus();
    }

    private void refreshIntxStatus() {
        int status = get16(0x06);
        put16(0x06, intxLevel ? status | STATUS_INTERRUPT : status & ~STATUS_INTERRUPT);
        if (intx != null) {
            intx.setLevel(intxLevel && (command() & COMMAND_INTX_DISABLE) == 0);
        }
    }

    /** Reads the function's I/O BAR {@code bar} at {@code offset}; only called while decoding is on. */
    protected int ioRead(int bar, int offset, int size) {
        return -1;
    }

    /** Writes the function's I/O BAR {@code bar} at {@code offset}. */
    protected void ioWrite(int bar, int offset, int size, int value) {
    }

    /** Writes this function's configuration space and INTx level for the bus's "pci" section. */
    final void saveConfig(StateWriter out) {
        out.putBytes(config);
        out.putBoolean(intxLevel);
    }

    /**
     * Restores configuration space and the INTx level without driving the pin; the bus recomputes
     * its link lines once every function is loaded.
     *
     * @throws StateFormatException if the saved space belongs to another device or has impossible BARs
     */
    final void loadConfig(StateReader in, String where) {
        byte[] saved = StateChecks.length("pci", where + " configuration space", in.getBytes(), config.length);
        boolean level = in.getBoolean();
        int savedIds = (saved[0] & 0xFF) | (saved[1] & 0xFF) << 8 | (saved[2] & 0xFF) << 16 | (saved[3] & 0xFF) << 24;
        if (savedIds != get32(0x00)) {
            throw new StateFormatException(String.format("pci: %s holds vendor/device %08x, this machine has %08x",
                    where, savedIds, get32(0x00)));
        }
        for (int i = 0; i < 6; i++) {
            int bar = (saved[REG_BAR0 + 4 * i] & 0xFF) | (saved[REG_BAR0 + 4 * i + 1] & 0xFF) << 8
                    | (saved[REG_BAR0 + 4 * i + 2] & 0xFF) << 16 | (saved[REG_BAR0 + 4 * i + 3] & 0xFF) << 24;
            boolean valid = barSize[i] == 0 ? bar == 0 : (bar & (barSize[i] - 1)) == 1;
            if (!valid) {
                throw new StateFormatException(String.format("pci: %s BAR%d %08x does not fit its size", where, i, bar));
            }
        }
        System.arraycopy(saved, 0, config, 0, config.length);
        intxLevel = level;
    }

    /** Whether this function's INTx pin is asserted as the bus sees it (level and not disabled). */
    final boolean intxAsserted() {
        return intxLevel && (command() & COMMAND_INTX_DISABLE) == 0;
    }

    private void put16(int reg, int v) {
        config[reg] = (byte) v;
        config[reg + 1] = (byte) (v >>> 8);
    }

    private void put32(int reg, int v) {
        put16(reg, v);
        put16(reg + 2, v >>> 16);
    }

    private int get16(int reg) {
        return (config[reg] & 0xFF) | (config[reg + 1] & 0xFF) << 8;
    }

    private int get32(int reg) {
        return get16(reg) | get16(reg + 2) << 16;
    }
}
