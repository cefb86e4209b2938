package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import org.junit.jupiter.api.Test;

class SegmentLimitTest extends ProtectedModeFixture {
    private static final int GP = CpuException.GP, SS = CpuException.SS;

    @Test
    void shouldRaiseGeneralProtectionForWordAtRealModeSegmentEnd() {
        assertFault(GP, 0, () -> cpu.mmu.read16(Cpu.DS, 0xFFFF));
        assertFault(SS, 0, () -> cpu.mmu.write16(Cpu.SS, 0xFFFF, 1));
        cpu.mmu.write8(Cpu.DS, 0xFFFF, 0x5A);
        assertEquals(0x5A, memory.read8(0xFFFF));
    }

    @Test
    void shouldRefuseWritesToReadOnlyDataAndCodeInProtectedMode() {
        enterFlatProtectedMode();
        cpu.segAttr[Cpu.ES] = (cpu.segAttr[Cpu.ES] & ~0xF) | 0x1;
        assertEquals(0, cpu.mmu.read32(Cpu.ES, 0x100));
        assertFault(GP, 0, () -> cpu.mmu.write32(Cpu.ES, 0x100, 1));
        assertFault(GP, 0, () -> cpu.mmu.write8(Cpu.CS, 0x100, 1));
    }

    @Test
    void shouldRefuseReadsOfExecuteOnlyCode() {
        enterFlatProtectedMode();
        cpu.segAttr[Cpu.CS] = (cpu.segAttr[Cpu.CS] & ~0xF) | 0x9;
        assertFault(GP, 0, () -> cpu.mmu.read8(Cpu.CS, 0));
    }

    @Test
    void shouldRefuseAccessThroughUnusableSegment() {
        enterFlatProtectedMode();
        cpu.segAttr[Cpu.FS] |= Cpu.ATTR_UNUSABLE;
        assertFault(GP, 0, () -> cpu.mmu.read8(Cpu.FS, 0));
    }

    @Test
    void shouldCheckExpandDownLimitsAgainstTheBigBit() {
        enterFlatProtectedMode();
        cpu.segAttr[Cpu.SS] = Cpu.ATTR_P | Cpu.ATTR_S | 0x7; // expand-down, 16-bit upper bound
        cpu.segLimit[Cpu.SS] = 0x0FFF;
        cpu.segBase[Cpu.SS] = 0x100000;
        assertFault(SS, 0, () -> cpu.mmu.write32(Cpu.SS, 0x0FFF, 1));
        assertFault(SS, 0, () -> cpu.mmu.write32(Cpu.SS, 0xFFFE, 1));
        cpu.mmu.write32(Cpu.SS, 0xFFFC, 0x12345678);
        assertEquals(0x12345678, memory.read32(0x10FFFC));

        cpu.segAttr[Cpu.SS] |= Cpu.ATTR_DB;
        cpu.mmu.write32(Cpu.SS, 0x10000, 7);
        assertEquals(7, memory.read32(0x110000));
    }

    @Test
    void shouldApplyExpandUpLimitToTheLastByteOfTheAccess() {
        enterFlatProtectedMode();
        cpu.segLimit[Cpu.DS] = 0x1003;
        assertEquals(0, cpu.mmu.read32(Cpu.DS, 0x1000));
        assertFault(GP, 0, () -> cpu.mmu.read32(Cpu.DS, 0x1001));
    }
}
