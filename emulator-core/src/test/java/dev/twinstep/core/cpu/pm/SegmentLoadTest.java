package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SegmentLoadTest extends ProtectedModeFixture {
    private static final int GP = CpuException.GP, NP = CpuException.NP, SS = CpuException.SS;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
        putGdt(3, flatCode(3));
        putGdt(4, flatData(3));
        putGdt(5, descriptor(0x12345000, 0xFF, 0x12, 0, true, 0)); // byte-granular, not accessed
        putGdt(6, descriptor(0, 0xFFFFF, 0x13, 0, false, 0xC)); // not present
        putGdt(7, descriptor(0, 0xFFFFF, 0x18, 0, true, 0xC)); // execute-only code
        putGdt(8, descriptor(0, 0xFFFFF, 0x1E, 0, true, 0xC)); // conforming readable code, DPL 0
        putGdt(9, descriptor(0, 0xFFFFF, 0x11, 0, true, 0xC)); // read-only data
    }

    @Test
    void shouldLoadDescriptorIntoCacheAndSetAccessedBit() {
        cpu.segmentation.loadSegment(Cpu.ES, 0x28);
        assertEquals(0x28, cpu.segSel[Cpu.ES]);
        assertEquals(0x12345000, cpu.segBase[Cpu.ES]);
        assertEquals(0xFF, cpu.segLimit[Cpu.ES]);
        assertEquals(0x13, cpu.segAttr[Cpu.ES] & 0x1F);
        assertEquals(0x93, memory.read8(GDT + 5 * 8 + 5), "accessed bit in the GDT");
    }

    @Test
    void shouldApplyPageGranularityToTheLimit() {
        cpu.segmentation.loadSegment(Cpu.DS, 0x10);
        assertEquals(-1, cpu.segLimit[Cpu.DS]);
    }

    @Test
    void shouldMakeNullDataSegmentUnusable() {
        cpu.segmentation.loadSegment(Cpu.DS, 0x0003);
        assertEquals(3, cpu.segSel[Cpu.DS]);
        assertFault(GP, 0, () -> cpu.mmu.read8(Cpu.DS, 0));
    }

    @Test
    void shouldRefuseNullStackSegment() {
        assertFault(GP, 0, () -> cpu.segmentation.loadSegment(Cpu.SS, 0));
    }

    @Test
    void shouldRefuseSelectorBeyondTheGdtLimit() {
        cpu.gdtrLimit = 0x2F;
        assertFault(GP, 0x30, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x30));
        assertFault(GP, 0x30, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x33));
        cpu.segmentation.loadSegment(Cpu.DS, 0x28);
    }

    @Test
    void shouldRefuseLdtSelectorWithoutLdt() {
        cpu.segmentation.loadLdt(0);
        assertFault(GP, 0x0C, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x0C));
    }

    @Test
    void shouldLoadFromTheLdt() {
        putGdt(10, descriptor(0x20000, 0x17, 0x02, 0, true, 0));
        putDescriptor(0x20000, 2, descriptor(0x4000, 0xFFF, 0x13, 0, true, 0));
        cpu.segmentation.loadLdt(0x50);
        assertEquals(0x20000, cpu.ldtrBase);
        cpu.segmentation.loadSegment(Cpu.FS, 0x14);
        assertEquals(0x4000, cpu.segBase[Cpu.FS]);
    }

    @Test
    void shouldRefuseExecuteOnlyCodeAndSystemDescriptorsInDataRegisters() {
        assertFault(GP, 0x38, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x38));
        putGdt(10, descriptor(0x20000, 0x17, 0x02, 0, true, 0));
        assertFault(GP, 0x50, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x50));
    }

    @Test
    void shouldRefuseMorePrivilegedDataButAllowConformingCode() {
        cpu.cpl = 3;
        assertFault(GP, 0x10, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x13));
        cpu.segmentation.loadSegment(Cpu.DS, 0x43);
        assertEquals(0x43, cpu.segSel[Cpu.DS]);
        cpu.segmentation.loadSegment(Cpu.ES, 0x23);
        cpu.cpl = 0;
        assertFault(GP, 0x10, () -> cpu.segmentation.loadSegment(Cpu.DS, 0x13));
    }

    @Test
    void shouldReportNotPresentAsSegmentNotPresentOrStackFault() {
        assertFault(NP, 0x30, () -> cpu.segmentation.loadSegment(Cpu.GS, 0x30));
        assertFault(SS, 0x30, () -> cpu.segmentation.loadSegment(Cpu.SS, 0x30));
    }

    @Test
    void shouldRequireWritableDataAtCplForStackSegment() {
        assertFault(GP, 0x48, () -> cpu.segmentation.loadSegment(Cpu.SS, 0x48));
        assertFault(GP, 0x20, () -> cpu.segmentation.loadSegment(Cpu.SS, 0x23));
        assertFault(GP, 0x20, () -> cpu.segmentation.loadSegment(Cpu.SS, 0x20));
        assertFault(GP, 0x10, () -> cpu.segmentation.loadSegment(Cpu.SS, 0x11));
        cpu.segmentation.loadSegment(Cpu.SS, 0x10);
        assertEquals(0x10, cpu.segSel[Cpu.SS]);
    }

    @Test
    void shouldUseRealModeRuleWithoutProtectionEnable() {
        cpu.reset();
        cpu.segmentation.loadSegment(Cpu.DS, 0x1234);
        assertEquals(0x12340, cpu.segBase[Cpu.DS]);
        assertEquals(0xFFFF, cpu.segLimit[Cpu.DS]);
    }

    @Test
    void shouldMakeANulledRegisterUsableAgainWhenLoadedInRealMode() {
        cpu.segmentation.loadSegment(Cpu.ES, 0);
        cpu.mmu.writeCr0(cpu.cr0 & ~Cpu.CR0_PE);
        cpu.segmentation.loadSegment(Cpu.ES, 0x2000);
        cpu.mmu.write16(Cpu.ES, 0xFFFE, 0x1234);
        assertEquals(0x1234, memory.read16(0x2FFFE));
    }

    @Test
    void shouldAnswerLarLslVerrVerwPerDescriptorType() {
        assertEquals(0x00C09300, cpu.segmentation.lar(0x10), "limit bits masked out");
        assertEquals(0xFFFFFFFFL, cpu.segmentation.lsl(0x10));
        assertEquals(0xFFL, cpu.segmentation.lsl(0x28));
        assertTrue(cpu.segmentation.verr(0x10));
        assertTrue(cpu.segmentation.verw(0x10));
        assertFalse(cpu.segmentation.verr(0x38), "execute-only code");
        assertFalse(cpu.segmentation.verw(0x48), "read-only data");
        assertTrue(cpu.segmentation.verr(0x40));
        assertEquals(-1, cpu.segmentation.lar(0));
        assertEquals(-1, cpu.segmentation.lar(0x400), "beyond the GDT");

        putIdt(0, 0);
        putGdt(10, gate(0x08, 0x1000, 0xE, 3, 0)); // interrupt gate: not for LAR
        assertEquals(-1, cpu.segmentation.lar(0x50));
        putGdt(10, gate(0x08, 0x1000, 0xC, 3, 0)); // call gate: LAR yes, LSL no
        assertEquals(0x0000EC00, cpu.segmentation.lar(0x50));
        assertEquals(-1L, cpu.segmentation.lsl(0x50));

        cpu.cpl = 3;
        assertEquals(-1, cpu.segmentation.lar(0x10), "DPL 0 data is invisible at CPL 3");
        assertEquals(0x00C09E00, cpu.segmentation.lar(0x40), "conforming code is visible");
        assertFalse(cpu.segmentation.verw(0x13));
    }
}
