package dev.twinstep.devices.mptable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.twinstep.core.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parses the tables back out of guest memory as an OS would: scan for "_MP_", follow it, verify sums. */
class MpTableWriterTest {
    private final GuestMemory memory = new GuestMemory(4L * 1024 * 1024);
    private final MpTableWriter.Platform platform =
            new MpTableWriter.Platform(0, 0x14, 0xFEE00000, 0x633, 0x8338, 1, 0x11, 0xFEC00000);

    private int findFloatingPointer() {
        for (int address = 0xF0000; address < 0x100000; address += 16) {
            if (memory.read32(address) == 0x5F504D5F) { // "_MP_"
                return address;
            }
        }
        throw new AssertionError("no _MP_ in the BIOS area");
    }

    private int sum(int address, int length) {
        int s = 0;
        for (int i = 0; i < length; i++) {
            s += memory.read8(address + i);
        }
        return s & 0xFF;
    }

    /** Every entry of the configuration table as one line, checking the entries fill the table exactly. */
    private List<String> parse() {
        int table = memory.read32(findFloatingPointer() + 4);
        int entries = memory.read16(table + 34);
        int at = table + 44;
        List<String> parsed = new ArrayList<>();
        for (int n = 0; n < entries; n++) {
            int type = memory.read8(at);
            if (type == 0) {
                parsed.add(String.format("cpu id=%d ver=%x flags=%d", memory.read8(at + 1), memory.read8(at + 2),
                        memory.read8(at + 3)));
                at += 20;
                continue;
            }
            if (type == 1) {
                byte[] name = new byte[6];
                memory.readBytes(at + 2, name, 0, 6);
                parsed.add("bus " + memory.read8(at + 1) + " " + new String(name).trim());
            } else if (type == 2) {
                parsed.add(String.format("ioapic id=%d ver=%x flags=%d at=%x", memory.read8(at + 1),
                        memory.read8(at + 2), memory.read8(at + 3), memory.read32(at + 4)));
            } else {
                parsed.add(String.format("%s type=%d bus=%d irq=%d -> %d.%d", type == 3 ? "io" : "local",
                        memory.read8(at + 1), memory.read8(at + 4), memory.read8(at + 5), memory.read8(at + 6),
                        memory.read8(at + 7)));
            }
            at += 8;
        }
        assertEquals(memory.read16(table + 4), at - table, "entries fill the table exactly");
        return parsed;
    }

    @Test
    void shouldWriteFloatingPointerWithValidChecksumPointingAtPcmp() {
        MpTableWriter.write(memory, platform, List.of());
        int pointer = findFloatingPointer();
        assertEquals(0, sum(pointer, 16));
        assertEquals(1, memory.read8(pointer + 8));
        assertEquals(4, memory.read8(pointer + 9));
        int table = memory.read32(pointer + 4);
        assertEquals(0x504D4350, memory.read32(table)); // "PCMP"
        assertEquals(0, sum(table, memory.read16(table + 4)));
        assertEquals(0xFEE00000, memory.read32(table + 36));
    }

    @Test
    void shouldDescribeOneBootCpuTheIoApicAndIsaRouting() {
        MpTableWriter.write(memory, platform, List.of());
        List<String> parsed = parse();
        assertEquals("cpu id=0 ver=14 flags=3", parsed.get(0));
        assertEquals("bus 0 PCI", parsed.get(1));
        assertEquals("bus 1 ISA", parsed.get(2));
        assertEquals("ioapic id=1 ver=11 flags=1 at=fec00000", parsed.get(3));
        assertEquals("io type=3 bus=1 irq=0 -> 1.0", parsed.get(4));
        assertEquals("io type=0 bus=1 irq=0 -> 1.2", parsed.get(5));
        assertEquals("io type=0 bus=1 irq=1 -> 1.1", parsed.get(6));
        assertEquals("io type=0 bus=1 irq=3 -> 1.3", parsed.get(7));
        assertEquals("io type=0 bus=1 irq=15 -> 1.15", parsed.get(19));
        assertEquals("local type=3 bus=1 irq=0 -> 0.0", parsed.get(20));
        assertEquals("local type=1 bus=1 irq=0 -> 255.1", parsed.get(21));
        assertEquals(22, parsed.size());
    }

    @Test
    void shouldRoutePciPinsInPlaceOfTheIsaIrqsTheyTake() {
        MpTableWriter.write(memory, platform, List.of(new MpTableWriter.PciInterrupt(3, 1, 11)));
        int table = memory.read32(findFloatingPointer() + 4);
        assertEquals(0, sum(table, memory.read16(table + 4)));
        List<String> parsed = parse();
        assertEquals("io type=0 bus=0 irq=12 -> 1.11", parsed.get(5), "source 12 = device 3, INTA");
        assertFalse(parsed.contains("io type=0 bus=1 irq=11 -> 1.11"), parsed.toString());
        assertEquals(22, parsed.size());
    }
}
