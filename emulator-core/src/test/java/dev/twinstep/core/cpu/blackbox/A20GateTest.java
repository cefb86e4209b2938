package dev.twinstep.core.cpu.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import org.junit.jupiter.api.Test;

/** With the A20 gate closed, CPU accesses above 1 MiB wrap to low memory, as on an 8086; open, they do not. */
class A20GateTest {

    @Test
    void shouldWrapCpuStoresAtOneMegabyteWhileTheGateIsClosedEvenWhenTheTlbIsWarm() {
        TestMachine m = TestMachine.realMode();
        // mov ax, 0xFFFF; mov es, ax; mov byte [es:0x0510], 0x5A; mov byte [es:0x0520], 0x5B; hlt
        // (linear 0x100500 and 0x100510: the second store takes the TLB's fast path)
        int[] program = {0xB8, 0xFF, 0xFF, 0x8E, 0xC0, 0x26, 0xC6, 0x06, 0x10, 0x05, 0x5A,
            0x26, 0xC6, 0x06, 0x20, 0x05, 0x5B, TestMachine.HLT};
        m.program(program);
        m.runToHalt();
        assertEquals(0x5A, m.memory.read8(0x100500), "gate open: no wrap");

        m.memory.setA20Enabled(false);
        m.program(program);
        m.runToHalt();
        m.memory.setA20Enabled(true);
        assertEquals(0x5A, m.memory.read8(0x000500), "gate closed: the store wrapped to 0x500");
        assertEquals(0x5B, m.memory.read8(0x000510), "gate closed: the fast-path store wrapped to 0x510");
    }

    @Test
    void shouldReadThroughTheWrapWhileTheGateIsClosed() {
        TestMachine m = TestMachine.realMode();
        m.poke(0x000600, 0x77);
        m.poke(0x100600, 0x11);
        m.memory.setA20Enabled(false);
        // mov ax, 0xFFFF; mov es, ax; mov al, [es:0x0610]; hlt
        m.program(0xB8, 0xFF, 0xFF, 0x8E, 0xC0, 0x26, 0xA0, 0x10, 0x06, TestMachine.HLT);
        m.runToHalt();
        assertEquals(0x77, m.cpu.regs[Cpu.EAX] & 0xFF);
    }
}
