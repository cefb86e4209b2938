package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import dev.twinstep.core.cpu.Interrupts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskSwitchTest extends ProtectedModeFixture {
    private static final int FIRST_TSS = 0x3000, SECOND_TSS = 0x3200;
    private static final int FIRST = 0x28, SECOND = 0x30, TASK_GATE = 0x5;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
        putGdt(5, tssDescriptor(FIRST_TSS, 0x67));
        putGdt(6, tssDescriptor(SECOND_TSS, 0x67));
        cpu.segmentation.loadTaskRegister(FIRST);
        int[] registers = {0x11, 0x22, 0x33, 0x44, 0x7000, 0x66, 0x77, 0x88};
        for (int r = 0; r < 8; r++) {
            memory.write32(SECOND_TSS + 0x28 + r * 4, registers[r]);
        }
        memory.write32(SECOND_TSS + 0x20, 0x5000);
        memory.write32(SECOND_TSS + 0x24, Cpu.IF | Cpu.CF | 2);
        int[] selectors = {0x10, 0x08, 0x10, 0x10, 0x10, 0};
        for (int s = 0; s < 6; s++) {
            memory.write16(SECOND_TSS + 0x48 + s * 4, selectors[s]);
        }
        cpu.regs[Cpu.EAX] = 0xAAAA;
        cpu.setEflags(Cpu.ZF);
        cpu.nextEip = 0x1234;
    }

    private int typeOf(int gdtIndex) {
        return memory.read8(GDT + gdtIndex * 8 + 5) & 0xF;
    }

    @Test
    void shouldSaveOldStateAndLoadNewTaskOnFarJump() {
        cpu.segmentation.farJump(SECOND, 0, true);

        assertEquals(SECOND, cpu.trSel);
        assertEquals(0x5000, cpu.nextEip);
        assertEquals(0x11, cpu.regs[Cpu.EAX]);
        assertEquals(0x7000, cpu.regs[Cpu.ESP]);
        assertEquals(Cpu.IF | Cpu.CF | 2, cpu.getEflags());
        assertTrue((cpu.cr0 & Cpu.CR0_TS) != 0);
        assertTrue((cpu.segAttr[Cpu.GS] & Cpu.ATTR_UNUSABLE) != 0, "null GS in the new task");

        assertEquals(0x1234, memory.read32(FIRST_TSS + 0x20), "old EIP saved");
        assertEquals(0xAAAA, memory.read32(FIRST_TSS + 0x28), "old EAX saved");
        assertEquals(0x08, memory.read16(FIRST_TSS + 0x4C), "old CS saved");
        assertEquals(0x9, typeOf(5), "old TSS no longer busy after JMP");
        assertEquals(0xB, typeOf(6), "new TSS busy");
    }

    @Test
    void shouldLinkNestedTaskOnCallAndReturnThroughIret() {
        cpu.segmentation.farCall(SECOND, 0, true);

        assertEquals(FIRST, memory.read16(SECOND_TSS), "back-link");
        assertTrue((cpu.getEflags() & Cpu.NT) != 0);
        assertEquals(0xB, typeOf(5), "caller stays busy");

        cpu.regs[Cpu.EAX] = 0x5555;
        cpu.nextEip = 0x5010;
        cpu.segmentation.interruptReturn(true);

        assertEquals(FIRST, cpu.trSel);
        assertEquals(0x1234, cpu.nextEip);
        assertEquals(0xAAAA, cpu.regs[Cpu.EAX]);
        assertEquals(Cpu.ZF | 2, cpu.getEflags());
        assertEquals(0x9, typeOf(6), "returned-from task no longer busy");
        assertEquals(0x5555, memory.read32(SECOND_TSS + 0x28));
        assertEquals(0, memory.read32(SECOND_TSS + 0x24) & Cpu.NT, "NT cleared in the saved flags");
    }

    @Test
    void shouldSwitchTasksThroughIdtTaskGateAndPushTheErrorCode() {
        putIdt(CpuException.GP, gate(SECOND, 0, TASK_GATE, 0, 0));
        cpu.interrupts.deliver(CpuException.GP, Interrupts.EXCEPTION, true, 0x44);
        assertEquals(SECOND, cpu.trSel);
        assertEquals(0x5000, cpu.nextEip);
        assertEquals(0x7000 - 4, cpu.regs[Cpu.ESP]);
        assertEquals(0x44, memory.read32(0x7000 - 4));
        assertTrue((cpu.getEflags() & Cpu.NT) != 0);
    }

    @Test
    void shouldRefuseJumpToBusyTask() {
        assertFault(CpuException.GP, FIRST, () -> cpu.segmentation.farJump(FIRST, 0, true));
    }

    @Test
    void shouldRaiseInvalidTssForBadCodeSegmentInTheNewTask() {
        memory.write16(SECOND_TSS + 0x4C, 0x10);
        assertFault(CpuException.TS, 0x10, () -> cpu.segmentation.farJump(SECOND, 0, true));
        assertEquals(SECOND, cpu.trSel, "the fault belongs to the new task");
    }

    @Test
    void shouldRaiseInvalidTssForShortTss() {
        putGdt(6, tssDescriptor(SECOND_TSS, 0x60));
        assertFault(CpuException.TS, SECOND, () -> cpu.segmentation.farJump(SECOND, 0, true));
        assertEquals(FIRST, cpu.trSel);
    }

    @Test
    void shouldMarkTheTssBusyOnLtr() {
        assertEquals(0xB, typeOf(5));
        assertEquals(FIRST, cpu.trSel);
        assertEquals(FIRST_TSS, cpu.trBase);
        assertFault(CpuException.GP, FIRST, () -> cpu.segmentation.loadTaskRegister(FIRST));
    }

    @Test
    void shouldSwitchToSixteenBitTask() {
        int tss16 = 0x3400;
        putGdt(7, descriptor(tss16, 0x2B, 0x01, 0, true, 0));
        memory.write16(tss16 + 0x0E, 0x0100);
        memory.write16(tss16 + 0x10, Cpu.CF | 2);
        memory.write16(tss16 + 0x12, 0xBEEF);
        memory.write16(tss16 + 0x1A, 0x6000);
        int[] selectors = {0x10, 0x08, 0x10, 0x10};
        for (int s = 0; s < 4; s++) {
            memory.write16(tss16 + 0x22 + s * 2, selectors[s]);
        }
        cpu.segmentation.farCall(0x38, 0, true);
        assertEquals(0x38, cpu.trSel);
        assertEquals(0x0100, cpu.nextEip);
        assertEquals(0xBEEF, cpu.regs[Cpu.EAX]);
        assertEquals(0x6000, cpu.regs[Cpu.ESP]);
        assertEquals(FIRST, memory.read16(tss16));
        assertEquals(0x3, typeOf(7), "busy 16-bit TSS");
        assertTrue((cpu.segAttr[Cpu.FS] & Cpu.ATTR_UNUSABLE) != 0, "a 16-bit TSS has no FS/GS");
    }

    @Test
    void shouldLoadNewPageDirectoryWhenPagingIsOn() {
        enableIdentityPaging();
        memory.write32(SECOND_TSS + 0x1C, 0x20000);
        memory.write32(0x20000, 0x21000 | 7);
        memory.write32(0x20000 + 4, PAGE_DIRECTORY + 0x2000 | 7);
        for (int i = 0; i < 1024; i++) {
            memory.write32(0x21000 + i * 4, (i << 12) | 7);
        }
        memory.write32(0x21000 + 0x55 * 4, 0x66000 | 7);
        memory.write32(0x66000, 42);
        cpu.segmentation.farJump(SECOND, 0, true);
        assertEquals(0x20000, cpu.cr3);
        assertEquals(42, cpu.mmu.readLinear32(0x55000));
    }
}
