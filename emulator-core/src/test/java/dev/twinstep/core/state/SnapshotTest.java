package dev.twinstep.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuState;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotTest {
    private static final long RAM = 4L * 1024 * 1024;

    private static Machine icountMachine(long ram) {
        return new Machine(MachineConfig.withRam(ram).withClock(ClockMode.ICOUNT));
    }

    private static byte[] save(Machine machine, boolean incremental) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.saveSnapshot(out, incremental);
        return out.toByteArray();
    }

    private static void load(Machine machine, byte[] snapshot) throws IOException {
        machine.loadSnapshot(new ByteArrayInputStream(snapshot));
    }

    private static byte[] ram(Machine machine) {
        byte[] bytes = new byte[(int) machine.memory().ramSize()];
        machine.memory().ram().getBytes(0, bytes);
        return bytes;
    }

    private static Machine busyMachine() {
        Machine machine = icountMachine(RAM);
        Cpu cpu = machine.cpu();
        for (int r = 0; r < 8; r++) {
            cpu.regs[r] = 0x1111 * (r + 1);
        }
        cpu.eip = 0x00102030;
        cpu.setEflags(0x246 | Cpu.CF);
        for (int s = 0; s < 6; s++) {
            cpu.segSel[s] = 0x8 * (s + 1);
            cpu.segBase[s] = 0x1000 * s;
            cpu.segLimit[s] = 0xFFFFF + s;
            cpu.segAttr[s] = 0x93 + s;
        }
        cpu.gdtrBase = 0x5000;
        cpu.gdtrLimit = 0x3F;
        cpu.idtrBase = 0x6000;
        cpu.idtrLimit = 0x7FF;
        cpu.trSel = 0x28;
        cpu.ldtrSel = 0x30;
        cpu.cr0 = Cpu.CR0_PE | Cpu.CR0_ET;
        cpu.cr2 = 0xDEAD000;
        cpu.cr3 = 0x9000;
        cpu.cr4 = Cpu.CR4_PSE;
        cpu.dr[7] = 0x400;
        cpu.cpl = 3;
        cpu.halted = true;
        cpu.interruptShadow = true;
        cpu.instructionCount = 123_456_789L;
        cpu.tscOffset = -42;
        machine.memory().setA20Enabled(false);
        machine.clock().skipTo(machine.clock().nowNanos() + 777);
        for (int address = 0x100000; address < 0x100000 + 3 * 4096; address += 4) {
            machine.memory().write32(address, address * 31);
        }
        return machine;
    }

    @Test
    void shouldRestoreEveryCpuRegisterClockAndRamByteIntoAFreshMachine() throws IOException {
        Machine original = busyMachine();
        Machine restored = icountMachine(RAM);

        load(restored, save(original, false));

        Cpu a = original.cpu();
        Cpu b = restored.cpu();
        assertArrayEquals(a.regs, b.regs);
        assertEquals(a.eip, b.eip);
        assertEquals(a.getEflags(), b.getEflags());
        assertArrayEquals(a.segSel, b.segSel);
        assertArrayEquals(a.segBase, b.segBase);
        assertArrayEquals(a.segLimit, b.segLimit);
        assertArrayEquals(a.segAttr, b.segAttr);
        assertEquals(List.of(a.gdtrBase, a.gdtrLimit, a.idtrBase, a.idtrLimit, a.trSel, a.ldtrSel),
                List.of(b.gdtrBase, b.gdtrLimit, b.idtrBase, b.idtrLimit, b.trSel, b.ldtrSel));
        assertEquals(List.of(a.cr0, a.cr2, a.cr3, a.cr4), List.of(b.cr0, b.cr2, b.cr3, b.cr4));
        assertArrayEquals(a.dr, b.dr);
        assertEquals(3, b.cpl);
        assertTrue(b.halted);
        assertTrue(b.interruptShadow);
        assertEquals(a.instructionCount, b.instructionCount);
        assertEquals(a.tscOffset, b.tscOffset);
        assertFalse(restored.memory().isA20Enabled());
        assertEquals(original.clock().nowNanos(), restored.clock().nowNanos());
        assertArrayEquals(ram(original), ram(restored));
    }

    @Test
    void shouldRefuseASnapshotWithOneCorruptedByte() throws IOException {
        byte[] snapshot = save(busyMachine(), false);
        snapshot[snapshot.length / 2] ^= 0x10;
        Machine target = icountMachine(RAM);
        int eipBefore = target.cpu().eip;

        StateFormatException e = assertThrows(StateFormatException.class, () -> load(target, snapshot));

        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
        assertEquals(eipBefore, target.cpu().eip);
    }

    @Test
    void shouldRefuseATruncatedSnapshot() throws IOException {
        byte[] snapshot = save(busyMachine(), false);
        Machine target = icountMachine(RAM);

        for (int length : new int[] {0, 7, 40, snapshot.length / 3, snapshot.length - 1}) {
            byte[] cut = Arrays.copyOf(snapshot, length);
            assertThrows(StateFormatException.class, () -> load(target, cut), "cut at " + length);
        }
        assertEquals(0, target.cpu().instructionCount);
    }

    @Test
    void shouldRefuseASnapshotOfAMachineWithAnotherRamSize() throws IOException {
        byte[] snapshot = save(busyMachine(), false);
        Machine bigger = icountMachine(2 * RAM);

        StateFormatException e = assertThrows(StateFormatException.class, () -> load(bigger, snapshot));

        assertTrue(e.getMessage().contains("different machine configuration"), e.getMessage());
        assertEquals(0, bigger.cpu().instructionCount);
    }

    @Test
    void shouldRefuseAnUnknownSectionVersionByNameBeforeApplyingAnything() throws IOException {
        Machine source = busyMachine();
        Stateful futureCpu = new Stateful() {
            private final CpuState real = new CpuState(source.cpu());

            @Override
            public String sectionName() {
                return "cpu";
            }

            @Override
            public int sectionVersion() {
                return 99;
            }

            @Override
            public void save(StateWriter out) {
                real.save(out);
            }

            @Override
            public void load(StateReader in, int version) {
                throw new AssertionError("never loaded");
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Snapshot.write(out, source.configurationFingerprint(),
                List.of(new ClockSection(source.clock()), RamSection.full(source.memory(), new SnapshotChain()), futureCpu));
        Machine target = icountMachine(RAM);

        StateFormatException e = assertThrows(StateFormatException.class,
                () -> load(target, out.toByteArray()));

        assertTrue(e.getMessage().contains("'cpu' has version 99"), e.getMessage());
        assertEquals(0, target.clock().nowNanos(), "the clock section before it must not have been applied");
        assertEquals(0, target.memory().read32(0x100000 + 4));
    }

    @Test
    void shouldRestoreBasePlusDeltasToTheSameRamAsAFullSnapshotAtTheSameMoment() throws IOException {
        Machine source = busyMachine();
        byte[] base = save(source, false);
        source.memory().write32(0x200000, 0xCAFEBABE);
        source.memory().write8(0x100004, 0x77);
        byte[] delta1 = save(source, true);
        source.memory().write32(0x200000, 0x12345678);
        source.memory().write32(0x3FF000, 1);
        source.cpu().regs[Cpu.EAX] = 5;
        byte[] delta2 = save(source, true);
        byte[] full = save(source, false);
        Machine fromDeltas = icountMachine(RAM);
        Machine fromFull = icountMachine(RAM);

        load(fromDeltas, base);
        load(fromDeltas, delta1);
        load(fromDeltas, delta2);
        load(fromFull, full);

        assertArrayEquals(ram(fromFull), ram(fromDeltas));
        assertArrayEquals(ram(source), ram(fromDeltas));
        assertEquals(5, fromDeltas.cpu().regs[Cpu.EAX]);
        assertTrue(delta2.length < 5 * 4096, "a delta holds only the dirty pages, was " + delta2.length);
    }

    @Test
    void shouldRefuseARamDeltaThatDoesNotFollowTheMachinesRamAndLeaveTheMachineUntouched() throws IOException {
        Machine source = busyMachine();
        byte[] base = save(source, false);
        source.memory().write32(0x200000, 1);
        byte[] delta1 = save(source, true);
        source.memory().write32(0x200000, 2);
        source.cpu().regs[Cpu.EBX] = 99;
        byte[] delta2 = save(source, true);
        Machine target = icountMachine(RAM);

        StateFormatException withoutBase = assertThrows(StateFormatException.class, () -> load(target, delta1));
        load(target, base);
        StateFormatException skipped = assertThrows(StateFormatException.class, () -> load(target, delta2));

        assertTrue(withoutBase.getMessage().contains("no base snapshot loaded"), withoutBase.getMessage());
        assertTrue(skipped.getMessage().contains("does not follow"), skipped.getMessage());
        assertEquals(0x1111 * (Cpu.EBX + 1), target.cpu().regs[Cpu.EBX], "the CPU of the refused delta must not be applied");
        assertEquals(0, target.memory().read32(0x200000));
    }

    @Test
    void shouldListSectionsWithVersionsAndSizes() throws IOException {
        Snapshot snapshot = Snapshot.parse(save(busyMachine(), false));

        assertEquals(Snapshot.FORMAT_VERSION, snapshot.formatVersion());
        assertEquals(List.of("cpu", "clock", "ram"), snapshot.sections().stream().map(Snapshot.Section::name).toList());
        assertTrue(snapshot.sections().get(2).length() > 3 * 4096);
    }
}
