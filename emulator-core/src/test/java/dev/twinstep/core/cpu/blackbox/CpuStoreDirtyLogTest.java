package dev.twinstep.core.cpu.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU side of the dirty-log contract that COLO checkpoints rely on: every store an instruction
 * makes marks exactly the 4 KiB physical pages it touched in the MIGRATION log, nothing else, and a
 * page written again after the log was taken is marked again. Each scenario runs without paging and
 * with paging (identity map, TLB warm), where a "this page is already dirty" shortcut would show.
 */
class CpuStoreDirtyLogTest {
    private final TestMachine machine = TestMachine.flat32();
    private final Cpu cpu = machine.cpu;

    private void start(boolean paging, int... program) {
        if (paging) {
            machine.enableIdentityPaging();
        }
        machine.program(program);
        machine.forgetDirtyPages();
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkOnlyThePageOfAByteStore(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x20010;
        start(paging, 0x88, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x20);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkOnlyThePageOfAWordStore(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x21FF0;
        start(paging, 0x66, 0x89, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x21);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkOnlyThePageOfADwordStore(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x22008;
        start(paging, 0x89, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x22);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkBothPagesOfADwordStoreAcrossAPageBoundary(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x23FFE;
        cpu.regs[Cpu.EAX] = 0x44332211;
        start(paging, 0x89, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x23, 0x24);
        assertEquals(0x2211, machine.read16(0x23FFE));
        assertEquals(0x4433, machine.read16(0x24000));
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkBothPagesOfAWordStoreAcrossAPageBoundary(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x25FFF;
        start(paging, 0x66, 0x89, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x25, 0x26);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkTheStackPageOfAPush(boolean paging) {
        cpu.regs[Cpu.ESP] = 0x30000;
        start(paging, 0x50);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x2F);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkBothStackPagesOfAPushAcrossAPageBoundary(boolean paging) {
        cpu.regs[Cpu.ESP] = 0x31002;
        start(paging, 0x50);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x30, 0x31);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkTheStackPageOfACall(boolean paging) {
        cpu.regs[Cpu.ESP] = 0x32000;
        // call +1 skips one HLT and lands on the HLT that program() appends
        start(paging, 0xE8, 0x01, 0x00, 0x00, 0x00, TestMachine.HLT);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 6);
        machine.assertDirtyPagesExactly(0x31);
        assertEquals(TestMachine.CODE + 5, machine.read32(0x31FFC));
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkEveryPageOfRepStosb(boolean paging) {
        cpu.regs[Cpu.EDI] = 0x40800;
        cpu.regs[Cpu.ECX] = 0x2000;
        cpu.regs[Cpu.EAX] = 0x5A;
        start(paging, 0xF3, 0xAA);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x40, 0x41, 0x42);
        assertEquals(0, cpu.regs[Cpu.ECX]);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkEveryPageOfRepStosbGoingDown(boolean paging) {
        cpu.regs[Cpu.EDI] = 0x90FFF;
        cpu.regs[Cpu.ECX] = 0x2001;
        start(paging, 0xFD, 0xF3, 0xAA);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x8E, 0x8F, 0x90);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkEveryPageOfRepStosd(boolean paging) {
        cpu.regs[Cpu.EDI] = 0x50000;
        cpu.regs[Cpu.ECX] = 0x1001;
        start(paging, 0xF3, 0xAB);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x50, 0x51, 0x52, 0x53, 0x54);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkOnlyTheDestinationPagesOfRepMovsdForward(boolean paging) {
        cpu.regs[Cpu.ESI] = 0x60000;
        cpu.regs[Cpu.EDI] = 0x70FF0;
        cpu.regs[Cpu.ECX] = 0x800;
        machine.poke32(0x60000, 0x01020304);
        start(paging, 0xF3, 0xA5);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x70, 0x71, 0x72);
        assertEquals(0x01020304, machine.read32(0x70FF0));
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkOnlyTheDestinationPagesOfRepMovsdBackward(boolean paging) {
        cpu.regs[Cpu.ESI] = 0x66FFC;
        cpu.regs[Cpu.EDI] = 0x83004;
        cpu.regs[Cpu.ECX] = 0x800;
        start(paging, 0xFD, 0xF3, 0xA5);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x81, 0x82, 0x83);
        assertEquals(0x81004, cpu.regs[Cpu.EDI]);
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldNotMarkPagesThatAreOnlyReadOrExecuted(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x20010;
        cpu.regs[Cpu.ESI] = 0x60000;
        start(paging, 0x8A, 0x03, 0xAD, 0x8B, 0x04, 0x24);

        machine.runToHalt();

        machine.assertDirtyPagesExactly();
    }

    @ParameterizedTest(name = "paging {0}")
    @ValueSource(booleans = {false, true})
    void shouldMarkAPageAgainWhenItIsWrittenAfterATake(boolean paging) {
        cpu.regs[Cpu.EBX] = 0x20010;
        // again: mov [ebx], al; hlt; jmp again
        start(paging, 0x88, 0x03, TestMachine.HLT, 0xEB, 0xFB);

        for (int round = 0; round < 4; round++) {
            cpu.regs[Cpu.EAX] = round + 1;
            machine.runToHalt();
            machine.assertDirtyPagesExactly(0x20);
            assertEquals(round + 1, machine.memory.read8(0x20010));
        }
    }

    @Test
    void shouldMarkThePhysicalPageBehindALinearAddress() {
        machine.enableIdentityPaging();
        machine.mapPage(0x400000, 0x800000, TestMachine.PTE_SETTLED);
        cpu.regs[Cpu.EBX] = 0x400010;
        start(false, 0x88, 0x03, TestMachine.HLT, 0xEB, 0xFB);

        for (int round = 0; round < 3; round++) {
            cpu.regs[Cpu.EAX] = 0x70 + round;
            machine.runToHalt();
            machine.assertDirtyPagesExactly(0x800);
            assertEquals(0x70 + round, machine.memory.read8(0x800010));
        }
    }

    @Test
    void shouldMarkThePageTableWhenTheCpuSetsAccessedAndDirtyBits() {
        machine.enableIdentityPaging();
        machine.mapPage(0x420000, 0x820000, TestMachine.PTE_PRESENT_WRITABLE);
        cpu.regs[Cpu.EBX] = 0x420010;
        start(false, 0x88, 0x03, TestMachine.HLT, 0xEB, 0xFB);
        int pageTablePage = TestMachine.pageTableEntry(0x420000) >>> 12;

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x820, pageTablePage);
        assertEquals(0x820000 | 0x63, machine.read32(TestMachine.pageTableEntry(0x420000)), "PTE with A and D set");

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x820);
    }

    @Test
    void shouldMarkBothPhysicalPagesOfADwordStoreAcrossScatteredLinearPages() {
        machine.enableIdentityPaging();
        machine.mapPage(0x400000, 0x800000, TestMachine.PTE_SETTLED);
        machine.mapPage(0x401000, 0x900000, TestMachine.PTE_SETTLED);
        cpu.regs[Cpu.EBX] = 0x400FFE;
        cpu.regs[Cpu.EAX] = 0x44332211;
        start(false, 0x89, 0x03);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x800, 0x900);
        assertEquals(0x2211, machine.read16(0x800FFE));
        assertEquals(0x4433, machine.read16(0x900000));
    }

    @Test
    void shouldMarkThePhysicalPagesOfRepStosdAcrossScatteredLinearPages() {
        machine.enableIdentityPaging();
        machine.mapPage(0x400000, 0x800000, TestMachine.PTE_SETTLED);
        machine.mapPage(0x401000, 0x900000, TestMachine.PTE_SETTLED);
        cpu.regs[Cpu.EDI] = 0x400800;
        cpu.regs[Cpu.ECX] = 0x400;
        cpu.regs[Cpu.EAX] = 0x5A5A5A5A;
        start(false, 0xF3, 0xAB);

        machine.runToHalt();

        machine.assertDirtyPagesExactly(0x800, 0x900);
        assertEquals(0x5A5A5A5A, machine.read32(0x800FFC));
        assertEquals(0x5A5A5A5A, machine.read32(0x9007FC));
        assertEquals(0, machine.read32(0x900800));
    }
}
