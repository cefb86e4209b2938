package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Small hand-assembled programs run through {@link Cpu#execute}: a user program that calls the
 * kernel through INT 0x80, and one whose store into an unmapped page is served by a page-fault
 * handler that maps the page and restarts the instruction. Each ends with a HLT at CPL 3, which
 * raises #GP into a kernel stub that halts.
 */
class ProtectedModeProgramTest extends ProtectedModeFixture {
    private static final int USER_CODE_AT = 0x4000, SYSCALL_AT = 0x6000, GP_AT = 0x6100, PF_AT = 0x6200;
    private static final int INTERRUPT_GATE32 = 0xE;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
        enableIdentityPaging();
        enterUserMode();
        putIdt(0x80, gate(0x08, SYSCALL_AT, INTERRUPT_GATE32, 3, 0));
        putIdt(CpuException.GP, gate(0x08, GP_AT, INTERRUPT_GATE32, 0, 0));
        putIdt(CpuException.PF, gate(0x08, PF_AT, INTERRUPT_GATE32, 0, 0));
        poke(GP_AT, 0xF4); // hlt
        cpu.eip = cpu.nextEip = USER_CODE_AT;
    }

    private void poke(int address, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            memory.write8(address + i, bytes[i]);
        }
    }

    private void runToHalt() {
        for (int slice = 0; slice < 1000 && !cpu.halted; slice++) {
            cpu.execute(1000);
        }
        assertTrue(cpu.halted, "the program halted");
    }

    @Test
    void shouldEnterTheKernelThroughInt80AndReturnToUserModeWithIret() {
        poke(SYSCALL_AT,
                0x83, 0xC0, 0x01, // add eax, 1
                0xCF); // iretd
        poke(USER_CODE_AT,
                0xB8, 0x29, 0x00, 0x00, 0x00, // mov eax, 41
                0xCD, 0x80, // int 0x80
                0xA3, 0x00, 0x50, 0x00, 0x00, // mov [0x5000], eax
                0xF4); // hlt: #GP at CPL 3

        runToHalt();

        assertEquals(42, memory.read32(0x5000));
        assertEquals(0, cpu.cpl, "halted in the #GP stub");
        assertEquals(KERNEL_STACK_TOP - 24, cpu.regs[Cpu.ESP], "error code + 5-dword inner frame");
        assertEquals(0, memory.read32(KERNEL_STACK_TOP - 24), "#GP(0)");
        assertEquals(USER_CODE_AT + 12, memory.read32(KERNEL_STACK_TOP - 20), "faulting HLT");
        assertEquals(USER_STACK_TOP, memory.read32(KERNEL_STACK_TOP - 8));
    }

    @Test
    void shouldRestartTheFaultingStoreAfterThePageFaultHandlerMapsThePage() {
        int unmapped = 0x400000;
        int pte = pteAddress(unmapped);
        setPte(unmapped, 0);
        poke(PF_AT,
                0x0F, 0x20, 0xD0, // mov eax, cr2
                0xA3, 0x00, 0x51, 0x00, 0x00, // mov [0x5100], eax
                0x5B, // pop ebx (error code)
                0x89, 0x1D, 0x04, 0x51, 0x00, 0x00, // mov [0x5104], ebx
                0xC7, 0x05, pte, pte >>> 8, pte >>> 16, pte >>> 24, 0x07, 0x30, 0x12, 0x00, // mov [pte], 0x123007
                0x0F, 0x01, 0x38, // invlpg [eax]
                0xCF); // iretd
        poke(USER_CODE_AT,
                0xC7, 0x05, 0x10, 0x00, 0x40, 0x00, 0x55, 0x00, 0x00, 0x00, // mov dword [0x400010], 0x55
                0xF4); // hlt

        runToHalt();

        assertEquals(unmapped + 0x10, memory.read32(0x5100), "CR2 seen by the handler");
        assertEquals(0x6, memory.read32(0x5104), "not present, write, user");
        assertEquals(0x55, memory.read32(0x123010), "the store completed after the restart");
        assertEquals(0x67, memory.read32(pte) & 0x67, "accessed and dirty set by the retried store");
    }
}
