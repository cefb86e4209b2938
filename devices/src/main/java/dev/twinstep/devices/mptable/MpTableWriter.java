package dev.twinstep.devices.mptable;

import dev.twinstep.core.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the Intel MultiProcessor Specification 1.4 tables a PC BIOS leaves in memory: the MP
 * floating pointer ("_MP_") at {@link #FLOATING_POINTER_ADDRESS} in the BIOS area 0xF0000-0xFFFFF
 * (where QEMU's SeaBIOS also puts it, and which the Multiboot memory map reports as reserved) and
 * right after it the configuration table ("PCMP") describing one CPU (the BSP), PCI bus 0 and ISA bus
 * 1 (SeaBIOS's numbering), the IOAPIC and the interrupt routing: each PCI INTx pin in use on the
 * IOAPIC pin of its ISA IRQ, IRQ 0 on IOAPIC pin 2, the other ISA IRQs except the cascade IRQ 2 and
 * those taken by PCI on the pin of the same number, the 8259 as ExtINT on IOAPIC pin 0 and on the BSP's LINT0, and NMI on
 * every CPU's LINT1 — the routing of the MP specification's default configurations, with checksums.
 */
public final class MpTableWriter {
    /** Where the floating pointer goes (16-byte aligned, inside the BIOS area). */
    public static final int FLOATING_POINTER_ADDRESS = 0xF0000;
    /** Where the configuration table goes: right after the 16-byte floating pointer. */
    public static final int CONFIG_TABLE_ADDRESS = FLOATING_POINTER_ADDRESS + 16;
    public static final int SPEC_REVISION = 4;
    public static final int PCI_BUS_ID = 0;
    public static final int ISA_BUS_ID = 1;

    static final int HEADER_BYTES = 44;
    static final int PROCESSOR_ENTRY_BYTES = 20;
    static final int SHORT_ENTRY_BYTES = 8;
    static final int ENTRY_PROCESSOR = 0, ENTRY_BUS = 1, ENTRY_IOAPIC = 2, ENTRY_IO_INTERRUPT = 3,
            ENTRY_LOCAL_INTERRUPT = 4;
    static final int INT_TYPE_INT = 0, INT_TYPE_NMI = 1, INT_TYPE_EXTINT = 3;
    private static final int CPU_ENABLED = 1, CPU_BOOTSTRAP = 2;
    private static final int IOAPIC_ENABLED = 1;
    private static final int LAPIC_ALL = 0xFF;

    /** What the tables describe. */
    public record Platform(int lapicId, int lapicVersion, int lapicAddress, int cpuSignature, int cpuFeatures,
                           int ioApicId, int ioApicVersion, int ioApicAddress) {
    }

    /** A PCI function's INTx pin (1-4 for INTA-INTD) on bus 0, routed to ISA IRQ {@code irq}. */
    public record PciInterrupt(int slot, int pin, int irq) {
    }

    private MpTableWriter() {
    }

    /**
     * Writes both structures into {@code memory} (again, whole, when PCI devices are plugged later);
     * returns the configuration table's length in bytes.
     */
    public static int write(GuestMemory memory, Platform platform, List<PciInterrupt> pciInterrupts) {
        byte[] table = configurationTable(platform, pciInterrupts);
        memory.writeBytes(CONFIG_TABLE_ADDRESS, table, 0, table.length);
        byte[] pointer = floatingPointer(CONFIG_TABLE_ADDRESS);
        memory.writeBytes(FLOATING_POINTER_ADDRESS, pointer, 0, pointer.length);
        return table.length;
    }

    /** The 16-byte floating pointer structure naming the configuration table at {@code tableAddress}. */
    static byte[] floatingPointer(int tableAddress) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("_MP_".getBytes(StandardCharsets.US_ASCII));
        b.putInt(tableAddress);
        b.put((byte) 1);
        b.put((byte) SPEC_REVISION);
        b.put((byte) 0);
        // Feature byte 1 = 0: a configuration table is present; byte 2 bit 7 = 0: virtual wire mode, no IMCR.
        byte[] bytes = b.array();
        bytes[10] = checksum(bytes, 0, bytes.length);
        return bytes;
    }

    /** The configuration table: header, then entries ordered by type as the specification requires. */
    static byte[] configurationTable(Platform p, List<PciInterrupt> pciInterrupts) {
        int pciIrqs = 0;
        for (PciInterrupt pci : pciInterrupts) {
            pciIrqs |= 1 << pci.irq();
        }
        int isaInterrupts = 0;
        for (int irq = 0; irq < 16; irq++) {
            if (irq != 2 && (pciIrqs & (1 << irq)) == 0) {
                isaInterrupts++;
            }
        }
        int ioInterrupts = 1 + pciInterrupts.size() + isaInterrupts;
        int entries = 1 + 2 + 1 + ioInterrupts + 2;
        int length = HEADER_BYTES + PROCESSOR_ENTRY_BYTES + (entries - 1) * SHORT_ENTRY_BYTES;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("PCMP".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) length);
        b.put((byte) SPEC_REVISION);
        b.put((byte) 0);
        b.put("TWINSTEP".getBytes(StandardCharsets.US_ASCII));
        b.put("PC          ".getBytes(StandardCharsets.US_ASCII));
        b.putInt(0);
        b.putShort((short) 0);
        b.putShort((short) entries);
        b.putInt(p.lapicAddress());
        b.putShort((short) 0);
        b.put((byte) 0);
        b.put((byte) 0);

        b.put((byte) ENTRY_PROCESSOR).put((byte) p.lapicId()).put((byte) p.lapicVersion())
                .put((byte) (CPU_ENABLED | CPU_BOOTSTRAP)).putInt(p.cpuSignature()).putInt(p.cpuFeatures())
                .putLong(0);
        b.put((byte) ENTRY_BUS).put((byte) PCI_BUS_ID).put("PCI   ".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) ENTRY_BUS).put((byte) ISA_BUS_ID).put("ISA   ".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) ENTRY_IOAPIC).put((byte) p.ioApicId()).put((byte) p.ioApicVersion())
                .put((byte) IOAPIC_ENABLED).putInt(p.ioApicAddress());

        ioInterrupt(b, INT_TYPE_EXTINT, ISA_BUS_ID, 0, p.ioApicId(), 0);
        for (PciInterrupt pci : pciInterrupts) {
            // A PCI source is named by (device << 2) | (INTx - 1); flags 0 = level, active low, as PCI conforms.
            ioInterrupt(b, INT_TYPE_INT, PCI_BUS_ID, pci.slot() << 2 | (pci.pin() - 1), p.ioApicId(), pci.irq());
        }
        for (int irq = 0; irq < 16; irq++) {
            if (irq != 2 && (pciIrqs & (1 << irq)) == 0) {
                ioInterrupt(b, INT_TYPE_INT, ISA_BUS_ID, irq, p.ioApicId(), irq == 0 ? 2 : irq);
            }
        }
        localInterrupt(b, INT_TYPE_EXTINT, p.lapicId(), 0);
        localInterrupt(b, INT_TYPE_NMI, LAPIC_ALL, 1);

        byte[] bytes = b.array();
        bytes[7] = checksum(bytes, 0, bytes.length);
        return bytes;
    }

    /** An I/O interrupt assignment; flags 0 = polarity and trigger conform to the bus. */
    private static void ioInterrupt(ByteBuffer b, int type, int bus, int sourceIrq, int ioApicId, int pin) {
        b.put((byte) ENTRY_IO_INTERRUPT).put((byte) type).putShort((short) 0).put((byte) bus)
                .put((byte) sourceIrq).put((byte) ioApicId).put((byte) pin);
    }

    private static void localInterrupt(ByteBuffer b, int type, int lapicId, int lint) {
        b.put((byte) ENTRY_LOCAL_INTERRUPT).put((byte) type).putShort((short) 0).put((byte) ISA_BUS_ID)
                .put((byte) 0).put((byte) lapicId).put((byte) lint);
    }

    /** The byte that makes {@code bytes[offset, offset+length)} sum to zero (its own slot holding 0). */
    static byte checksum(byte[] bytes, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += bytes[i];
        }
        return (byte) -sum;
    }
}
