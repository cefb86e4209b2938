package dev.twinstep.core.cpu.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import org.junit.jupiter.api.Test;

/**
 * Real mode runs at privilege 0, so on a 386 (and under QEMU) POPF and IRET load IOPL and NT there;
 * an 80286 keeps them clear, which is why the 80286 vector harness leaves bits 12-15 out.
 */
class RealModeFlagsTest {

    @Test
    void shouldLoadIoplAndNtWithPopfInRealMode() {
        TestMachine m = TestMachine.realMode();
        // push 0x7002; popf; hlt
        m.program(0x68, 0x02, 0x70, 0x9D, TestMachine.HLT);
        m.runToHalt();
        assertEquals(Cpu.IOPL | Cpu.NT, m.cpu.getEflags() & (Cpu.IOPL | Cpu.NT));
    }

    @Test
    void shouldLoadIoplAndNtWithIretInRealMode() {
        TestMachine m = TestMachine.realMode();
        int target = TestMachine.CODE + 0x20;
        // push 0x7002 (flags); push 0 (cs); push target (ip); iret; ... target: hlt
        m.program(0x68, 0x02, 0x70, 0x6A, 0x00, 0x68, target & 0xFF, target >>> 8, 0xCF);
        m.poke(target, TestMachine.HLT);
        m.runToHalt();
        assertEquals(Cpu.IOPL | Cpu.NT, m.cpu.getEflags() & (Cpu.IOPL | Cpu.NT));
        m.assertHaltedAfter(target);
    }
}
