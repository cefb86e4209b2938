package dev.twinstep.devices.pci;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import java.util.function.IntFunction;

/**
 * PCI bus 0 behind an i440FX-like host bridge: configuration mechanism #1 at 0xCF8/0xCFC, the I/O
 * window where functions' I/O BARs decode, and INTx routing through the PIIX3 PIRQ links to PIC IRQs.
 *
 * <p>Routing follows QEMU's {@code pc} machine after SeaBIOS: the INTx pin {@code p} (1 = INTA#) of
 * the function in slot {@code s} drives PIRQ link {@code (s + p - 1) mod 4}, and SeaBIOS routes links
 * A-D to IRQs 10, 10, 11, 11 (verified with a probe kernel under qemu-system-i386 7.2, which also
 * showed the first virtio-net in slot 3 at I/O 0xC000 with interrupt line 11). Several pins on one
 * link share the IRQ level-wise: the line is high while any of them is. Machine thread only.
 */
public final class PciBus implements MachineDevice, Stateful {
    /** The configuration address register (32-bit accesses only). */
    public static final int CONFIG_ADDRESS_PORT = 0xCF8;
    /** The configuration data window (0xCFC-0xCFF). */
    public static final int CONFIG_DATA_PORT = 0xCFC;
    /** First port of the I/O window where SeaBIOS places PCI I/O BARs. */
    public static final int IO_WINDOW_BASE = 0xC000;
    /** Size of the I/O window Twinstep decodes for PCI I/O BARs. */
    public static final int IO_WINDOW_SIZE = 0x1000;
    /** PIC IRQ of each PIRQ link A-D, as SeaBIOS programs the PIIX3 under QEMU. */
    static final int[] PIRQ_TO_IRQ = {10, 10, 11, 11};

    private static final int SLOTS = 32;
    private static final int FUNCTIONS = 8;

    private final PciFunction[] functions = new PciFunction[SLOTS * FUNCTIONS];
    private final IrqLine[] linkLines = new IrqLine[4];
    private final int[] linkAsserted = new int[4];
    /** The PIIX3's edge/level control registers for IRQs 0-7 and 8-15 (the PIC model serves them). */
    static final int ELCR_PORT = 0x4D0;

    private int configAddress;
    private GuestMemory memory;
    private IoBus io;

    /**
     * A bus with the host bridge at 00:00.0 and the PIIX3 ISA bridge at 00:01.0.
     *
     * @param picIrq the PIC input line for an ISA IRQ number
     */
    public PciBus(IntFunction<IrqLine> picIrq) {
        for (int link = 0; link < 4; link++) {
            linkLines[link] = picIrq.apply(PIRQ_TO_IRQ[link]);
        }
        plug(0, 0, new I440fxHostBridge());
        plug(1, 0, new Piix3IsaBridge());
    }

    /** Puts {@code function} at 00:{@code slot}.{@code fn} and wires its INTx pin; before {@link #attach}. */
    public void plug(int slot, int fn, PciFunction function) {
        int index = slot * FUNCTIONS + fn;
        if (functions[index] != null) {
            throw new IllegalArgumentException(String.format("PCI 00:%02x.%d is taken", slot, fn));
        }
        functions[index] = function;
        int pin = function.configRead(0x3D, 1);
        if (pin >= 1 && pin <= 4) {
            int link = (slot + pin - 1) & 3;
            function.connect(new IntxPin(link), PIRQ_TO_IRQ[link]);
        }
        if (memory != null) {
            function.attach(memory);
        }
    }

    /** The PIC IRQ that INTx pin {@code pin} (1-4) of a function in {@code slot} reaches. */
    public static int irqFor(int slot, int pin) {
        return PIRQ_TO_IRQ[(slot + pin - 1) & 3];
    }

    @Override
    public String name() {
        return "pci";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        this.memory = memory;
        this.io = io;
        io.register(CONFIG_ADDRESS_PORT, 8, new ConfigPorts(), "pci-config");
        io.register(IO_WINDOW_BASE, IO_WINDOW_SIZE, new IoWindow(), "pci-io");
        for (PciFunction function : functions) {
            if (function != null) {
                function.attach(memory);
            }
        }
        markPciIrqsLevelTriggered();
    }

    @Override
    public void reset() {
        configAddress = 0;
        for (PciFunction function : functions) {
            if (function != null) {
                function.reset();
            }
        }
        markPciIrqsLevelTriggered();
    }

    /**
     * SeaBIOS marks the IRQs it routes PIRQ links to as level-triggered in the ELCR, since INTx is a
     * shared level; Twinstep has no BIOS, so the bus does it (after the PIC, which is attached and
     * reset earlier). Without a PIC on the bus there is nothing to program.
     */
    private void markPciIrqsLevelTriggered() {
        for (int irq : PIRQ_TO_IRQ) {
            int port = ELCR_PORT + (irq >>> 3);
            if (io.isClaimed(port)) {
                io.write(port, 1, io.read(port, 1) | 1 << (irq & 7));
            }
        }
    }

    @Override
    public String sectionName() {
        return "pci";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Saves the configuration address latch and, per plugged function, its slot/function number,
     * configuration space and INTx level. A function's own device state (virtio queues...) is in
     * that device's section.
     */
    @Override
    public void save(StateWriter out) {
        out.putInt(configAddress);
        int plugged = 0;
        for (PciFunction function : functions) {
            plugged += function == null ? 0 : 1;
        }
        out.putInt(plugged);
        for (int index = 0; index < functions.length; index++) {
            if (functions[index] != null) {
                out.putInt(index);
                functions[index].saveConfig(out);
            }
        }
    }

    /**
     * Restores configuration spaces into the functions plugged in the same places, then recomputes
     * the PIRQ link levels and re-drives the link lines.
     */
    @Override
    public void load(StateReader in, int version) {
        int address = in.getInt();
        if ((address & ~0x80FF_FFFC) != 0) {
            throw new StateFormatException("pci: configuration address " + Integer.toHexString(address)
                    + " has reserved bits set");
        }
        int plugged = in.getInt();
        int expected = 0;
        for (PciFunction function : functions) {
            expected += function == null ? 0 : 1;
        }
        if (plugged != expected) {
            throw new StateFormatException("pci: the snapshot has " + plugged + " functions, this machine "
                    + expected);
        }
        boolean[] loaded = new boolean[functions.length];
        for (int i = 0; i < plugged; i++) {
            int index = in.getInt();
            if (index < 0 || index >= functions.length || functions[index] == null || loaded[index]) {
                throw new StateFormatException("pci: the snapshot has a function at " + location(index)
                        + ", where this machine has none or it came twice");
            }
            loaded[index] = true;
            functions[index].loadConfig(in, location(index));
        }
        configAddress = address;
        java.util.Arrays.fill(linkAsserted, 0);
        for (PciFunction function : functions) {
            if (function != null && function.intx != null) {
                function.intx.level = function.intxAsserted();
                linkAsserted[function.intx.link] += function.intx.level ? 1 : 0;
            }
        }
        for (int link = 0; link < linkLines.length; link++) {
            linkLines[link].setLevel(linkAsserted[link] > 0);
        }
    }

    private static String location(int index) {
        return String.format("00:%02x.%d", index / FUNCTIONS, index % FUNCTIONS);
    }

    private PciFunction addressed() {
        if ((configAddress & 0x8000_0000) == 0 || ((configAddress >>> 16) & 0xFF) != 0) {
            return null; // only bus 0 exists
        }
        return functions[(configAddress >>> 8) & 0xFF];
    }

    /** The shared level of one PIRQ link: high while any pin routed to it is high. */
    final class IntxPin {
        private final int link;
        private boolean level;

        private IntxPin(int link) {
            this.link = link;
        }

        void setLevel(boolean high) {
            if (high == level) {
                return;
            }
            level = high;
            linkAsserted[link] += high ? 1 : -1;
            linkLines[link].setLevel(linkAsserted[link] > 0);
        }
    }

    private final class ConfigPorts implements IoPortHandler {
        @Override
        public int ioRead(int offset, int size) {
            if (offset < 4) {
                return offset == 0 && size == 4 ? configAddress : -1;
            }
            PciFunction function = addressed();
            if (function == null) {
                return -1;
            }
            return function.configRead((configAddress & 0xFC) + offset - 4, size);
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            if (offset < 4) {
                if (offset == 0 && size == 4) {
                    configAddress = value & 0x80FF_FFFC;
                }
                return;
            }
            PciFunction function = addressed();
            if (function != null) {
                function.configWrite((configAddress & 0xFC) + offset - 4, size, value);
            }
        }
    }

    /** Decodes the I/O window against every function's enabled I/O BARs; few functions, so a scan. */
    private final class IoWindow implements IoPortHandler {
        @Override
        public int ioRead(int offset, int size) {
            int port = IO_WINDOW_BASE + offset;
            for (PciFunction function : functions) {
                if (function == null) {
                    continue;
                }
                for (int bar = 0; bar < 6; bar++) {
                    int base = function.ioBarBase(bar);
                    if (base >= 0 && port >= base && port + size <= base + function.ioBarSize(bar)) {
                        return function.ioRead(bar, port - base, size);
                    }
                }
            }
            return -1;
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            int port = IO_WINDOW_BASE + offset;
            for (PciFunction function : functions) {
                if (function == null) {
                    continue;
                }
                for (int bar = 0; bar < 6; bar++) {
                    int base = function.ioBarBase(bar);
                    if (base >= 0 && port >= base && port + size <= base + function.ioBarSize(bar)) {
                        function.ioWrite(bar, port - base, size, value);
                        return;
                    }
                }
            }
        }
    }
}
