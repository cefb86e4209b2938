package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FarTransferTest extends ProtectedModeFixture {
    private static final int GP = CpuException.GP;
    private static final int CALL_GATE32 = 0xC, CALL_GATE16 = 0x4;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
        putGdt(6, descriptor(0, 0xFFF, 0x1A, 0, true, 0x4)); // 4 KiB code segment, DPL 0
        putGdt(7, descriptor(0, 0xFFFFF, 0x1E, 0, true, 0xC)); // conforming code, DPL 0
    }

    private int stack(int offset) {
        return memory.read32(cpu.regs[Cpu.ESP] + offset);
    }

    @Test
    void shouldJumpToCodeSegmentAtTheSamePrivilege() {
        cpu.segmentation.farJump(0x30, 0x0800, true);
        assertEquals(0x30, cpu.segSel[Cpu.CS]);
        assertEquals(0xFFF, cpu.segLimit[Cpu.CS]);
        assertEquals(0x0800, cpu.nextEip);
    }

    @Test
    void shouldRefuseJumpBeyondTheCodeLimit() {
        assertFault(GP, 0, () -> cpu.segmentation.farJump(0x30, 0x1000, true));
        assertEquals(0x08, cpu.segSel[Cpu.CS]);
    }

    @Test
    void shouldRefuseJumpToDataAndToMorePrivilegedCode() {
        assertFault(GP, 0x10, () -> cpu.segmentation.farJump(0x10, 0, true));
        enterUserMode();
        assertFault(GP, 0x08, () -> cpu.segmentation.farJump(0x08, 0, true));
        assertFault(GP, 0x08, () -> cpu.segmentation.farJump(0x0B, 0, true));
    }

    @Test
    void shouldEnterConformingCodeWithoutChangingPrivilege() {
        enterUserMode();
        cpu.segmentation.farJump(0x3B, 0x100, true);
        assertEquals(3, cpu.cpl);
        assertEquals(0x3B, cpu.segSel[Cpu.CS], "RPL of CS is the unchanged CPL");
    }

    @Test
    void shouldPushReturnAddressOnFarCall() {
        cpu.nextEip = 0x1234;
        cpu.segmentation.farCall(0x30, 0x0800, true);
        assertEquals(0x8000 - 8, cpu.regs[Cpu.ESP]);
        assertEquals(0x1234, stack(0));
        assertEquals(0x08, stack(4));
        assertEquals(0x0800, cpu.nextEip);
    }

    @Test
    void shouldCallThroughGateToInnerLevelCopyingParameters() {
        enterUserMode();
        putGdt(10, gate(0x08, 0x6000, CALL_GATE32, 3, 2));
        memory.write32(USER_STACK_TOP - 8, 0x1111); // parameter 0 (pushed last)
        memory.write32(USER_STACK_TOP - 4, 0x2222);
        cpu.regs[Cpu.ESP] = USER_STACK_TOP - 8;
        cpu.nextEip = 0x4005;

        cpu.segmentation.farCall(0x53, 0xDEAD, true);

        assertEquals(0, cpu.cpl);
        assertEquals(0x08, cpu.segSel[Cpu.CS]);
        assertEquals(0x10, cpu.segSel[Cpu.SS]);
        assertEquals(0x6000, cpu.nextEip, "the gate's offset, not the instruction's");
        assertEquals(KERNEL_STACK_TOP - 24, cpu.regs[Cpu.ESP]);
        assertEquals(0x4005, stack(0));
        assertEquals(USER_CODE, stack(4));
        assertEquals(0x1111, stack(8));
        assertEquals(0x2222, stack(12));
        assertEquals(USER_STACK_TOP - 8, stack(16));
        assertEquals(USER_DATA, stack(20));
    }

    @Test
    void shouldReturnToOuterLevelAndNullDataSegmentsItMayNotUse() {
        enterUserMode();
        putGdt(10, gate(0x08, 0x6000, CALL_GATE32, 3, 2));
        cpu.regs[Cpu.ESP] = USER_STACK_TOP - 8;
        cpu.nextEip = 0x4005;
        cpu.segmentation.farCall(0x53, 0, true);
        cpu.segmentation.loadSegment(Cpu.DS, 0x10);

        cpu.segmentation.farReturn(8, true);

        assertEquals(3, cpu.cpl);
        assertEquals(USER_CODE, cpu.segSel[Cpu.CS]);
        assertEquals(USER_DATA, cpu.segSel[Cpu.SS]);
        assertEquals(USER_STACK_TOP, cpu.regs[Cpu.ESP], "parameters released on the outer stack");
        assertEquals(0x4005, cpu.nextEip);
        assertTrue((cpu.segAttr[Cpu.DS] & Cpu.ATTR_UNUSABLE) != 0, "kernel DS nulled");
        assertEquals(USER_DATA, cpu.segSel[Cpu.ES], "user ES kept");
        assertFault(GP, 0, () -> cpu.mmu.read8(Cpu.DS, 0));
    }

    @Test
    void shouldPushWordsThroughSixteenBitCallGate() {
        putGdt(10, gate(0x08, 0x00006000, CALL_GATE16, 0, 0));
        cpu.nextEip = 0x1234;
        cpu.segmentation.farCall(0x50, 0, true);
        assertEquals(0x8000 - 4, cpu.regs[Cpu.ESP]);
        assertEquals(0x1234, memory.read16(0x8000 - 4));
        assertEquals(0x08, memory.read16(0x8000 - 2));
    }

    @Test
    void shouldRefuseCallGateAboveCallerPrivilege() {
        enterUserMode();
        putGdt(10, gate(0x08, 0x6000, CALL_GATE32, 0, 0));
        assertFault(GP, 0x50, () -> cpu.segmentation.farCall(0x53, 0, true));
        putGdt(10, gate(0x08, 0x6000, CALL_GATE32, 3, 0) & ~(1L << 47));
        assertFault(CpuException.NP, 0x50, () -> cpu.segmentation.farCall(0x53, 0, true));
    }

    @Test
    void shouldRefuseFarReturnToMorePrivilegedLevel() {
        enterUserMode();
        memory.write32(USER_STACK_TOP - 8, 0x1000);
        memory.write32(USER_STACK_TOP - 4, 0x08);
        cpu.regs[Cpu.ESP] = USER_STACK_TOP - 8;
        assertFault(GP, 0x08, () -> cpu.segmentation.farReturn(0, true));
        assertEquals(USER_STACK_TOP - 8, cpu.regs[Cpu.ESP]);
    }

    @Test
    void shouldReturnFromInterruptToUserModeAndLetCplZeroSetIopl() {
        enterUserMode();
        cpu.cpl = 0;
        cpu.segSel[Cpu.CS] = 0x08;
        cpu.segmentation.loadSegment(Cpu.SS, 0x10);
        cpu.regs[Cpu.ESP] = 0x8F00;
        int[] frame = {0x4444, USER_CODE, Cpu.IF | (3 << 12) | Cpu.CF, 0x6F00, USER_DATA};
        for (int i = 0; i < frame.length; i++) {
            memory.write32(0x8F00 + i * 4, frame[i]);
        }

        cpu.segmentation.interruptReturn(true);

        assertEquals(3, cpu.cpl);
        assertEquals(0x4444, cpu.nextEip);
        assertEquals(0x6F00, cpu.regs[Cpu.ESP]);
        assertEquals(USER_DATA, cpu.segSel[Cpu.SS]);
        assertEquals(3, cpu.iopl());
        assertTrue((cpu.getEflags() & (Cpu.IF | Cpu.CF)) == (Cpu.IF | Cpu.CF));
    }

    @Test
    void shouldIgnoreIoplAndIfChangesFromUserModeIret() {
        enterUserMode();
        cpu.setEflags(Cpu.IF);
        int sp = USER_STACK_TOP - 12;
        memory.write32(sp, 0x4444);
        memory.write32(sp + 4, USER_CODE);
        memory.write32(sp + 8, (3 << 12) | Cpu.ZF);
        cpu.regs[Cpu.ESP] = sp;

        cpu.segmentation.interruptReturn(true);

        assertEquals(0, cpu.iopl());
        assertEquals(Cpu.IF | Cpu.ZF | 2, cpu.getEflags());
        assertEquals(USER_STACK_TOP, cpu.regs[Cpu.ESP]);
    }

    @Test
    void shouldConsultTheTssIoBitmapAboveIopl() {
        enterUserMode();
        putGdt(5, tssDescriptor(TSS, 0x68 + 0x80 + 1) | (1L << 41)); // busy, with bitmap bytes
        cpu.trLimit = 0x68 + 0x80 + 1;
        memory.write16(TSS + 0x66, 0x68);
        memory.write8(TSS + 0x68 + (0x3F8 >>> 3), 0xFE); // only 0x3F8 allowed
        cpu.segmentation.checkIoPermission(0x3F8, 1);
        assertFault(GP, 0, () -> cpu.segmentation.checkIoPermission(0x3F9, 1));
        assertFault(GP, 0, () -> cpu.segmentation.checkIoPermission(0x3F8, 2));
        assertFault(GP, 0, () -> cpu.segmentation.checkIoPermission(0x8000, 1));

        cpu.setEflags(3 << 12);
        cpu.segmentation.checkIoPermission(0x8000, 4);
    }
}
