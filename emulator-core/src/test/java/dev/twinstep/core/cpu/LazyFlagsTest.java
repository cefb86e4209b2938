package dev.twinstep.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lazily computed arithmetic flags agree with flags computed from the SDM definitions in wide
 * (64-bit) arithmetic, for every ALU operation at 8, 16 and 32 bits, over edge and random operands.
 */
class LazyFlagsTest {
    private static final int[] WIDTH_BITS = {8, 16, 32};
    private static final long[] EDGES = {0, 1, 2, 0x0F, 0x10, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
        0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL};

    private final Cpu cpu = CpuRig.realMode().cpu;

    @Test
    void shouldMatchTheDefinitionsForEveryAluOperation() {
        Random random = new Random(1234);
        for (int bits : WIDTH_BITS) {
            long mask = (1L << bits) - 1;
            for (int op = 0; op < 8; op++) {
                for (int carryIn = 0; carryIn < 2; carryIn++) {
                    for (long a : EDGES) {
                        for (long b : EDGES) {
                            check(op, bits, a & mask, b & mask, carryIn);
                        }
                    }
                    for (int n = 0; n < 2000; n++) {
                        check(op, bits, random.nextLong() & mask, random.nextLong() & mask, carryIn);
                    }
                }
            }
        }
    }

    @Test
    void shouldKeepCarryAcrossIncAndDec() {
        AluOps.alu(cpu, AluOps.SUB, 0, 1, -1); // leaves CF = 1 (borrow), held lazily
        cpu.regs[Cpu.EAX] = 0x7FFFFFFF;
        Insn inc = new Insn();
        inc.o32 = true;
        inc.reg = Cpu.EAX;
        AluOps.incReg(cpu, inc);
        int afterInc = cpu.getEflags();
        assertTrue((afterInc & Cpu.CF) != 0, "INC must keep the CF left by SUB");
        assertTrue((afterInc & Cpu.OF) != 0, "0x7FFFFFFF + 1 overflows");
        assertTrue((afterInc & Cpu.SF) != 0);
        assertTrue((afterInc & Cpu.AF) != 0);
        assertFalse((afterInc & Cpu.ZF) != 0);
        assertEquals(0x80000000, cpu.regs[Cpu.EAX]);

        AluOps.alu(cpu, AluOps.ADD, 1, 1, -1); // CF = 0
        AluOps.decReg(cpu, inc);
        assertFalse(cpu.cf(), "DEC must keep the CF left by ADD");
        assertTrue(cpu.of(), "0x80000000 - 1 overflows");
        assertEquals(0x7FFFFFFF, cpu.regs[Cpu.EAX]);
    }

    @Test
    void shouldEvaluateConditionsFromLazyStateAsFromMaterialisedFlags() {
        Random random = new Random(99);
        for (int n = 0; n < 5000; n++) {
            int a = random.nextInt(), b = random.nextInt();
            if (n % 5 == 0) {
                b = a;
            }
            int op = random.nextInt(8);
            int width = n % 3 == 0 ? 0xFF : n % 3 == 1 ? 0xFFFF : -1;
            AluOps.alu(cpu, op, a & width, b & width, width);
            boolean[] lazy = new boolean[16];
            for (int cc = 0; cc < 16; cc++) {
                lazy[cc] = cpu.condition(cc);
            }
            cpu.setEflags(cpu.getEflags());
            for (int cc = 0; cc < 16; cc++) {
                assertEquals(lazy[cc], cpu.condition(cc), "condition " + cc + " after op " + op);
            }
        }
    }

    private void check(int op, int bits, long a, long b, int carryIn) {
        cpu.setFlag(Cpu.CF, carryIn == 1);
        long mask = (1L << bits) - 1;
        int result = AluOps.alu(cpu, op, (int) a, (int) b, (int) mask);
        int expected = reference(op, bits, a, b, carryIn);
        long expectedResult = referenceResult(op, a, b, carryIn) & mask;
        String what = String.format("op %d, %d bits, %x, %x, CF in %d", op, bits, a, b, carryIn);
        assertEquals(expectedResult, result & mask, what);
        assertEquals(Integer.toBinaryString(expected), Integer.toBinaryString(cpu.getEflags() & Cpu.ARITH_FLAGS), what);
    }

    private static long referenceResult(int op, long a, long b, int carryIn) {
        switch (op) {
            case AluOps.ADD: return a + b;
            case AluOps.OR: return a | b;
            case AluOps.ADC: return a + b + carryIn;
            case AluOps.SBB: return a - b - carryIn;
            case AluOps.AND: return a & b;
            case AluOps.XOR: return a ^ b;
            default: return a - b;
        }
    }

    private static int reference(int op, int bits, long a, long b, int carryIn) {
        long mask = (1L << bits) - 1;
        long sign = 1L << (bits - 1);
        long sa = (a & sign) != 0 ? a - (1L << bits) : a;
        long sb = (b & sign) != 0 ? b - (1L << bits) : b;
        int cin = op == AluOps.ADC || op == AluOps.SBB ? carryIn : 0;
        boolean cf = false, of = false, af = false;
        long r = referenceResult(op, a, b, carryIn) & mask;
        switch (op) {
            case AluOps.ADD:
            case AluOps.ADC:
                cf = a + b + cin > mask;
                of = sa + sb + cin > sign - 1 || sa + sb + cin < -sign;
                af = (a & 0xF) + (b & 0xF) + cin > 0xF;
                break;
            case AluOps.SUB:
            case AluOps.SBB:
            case AluOps.CMP:
                cf = a < b + cin;
                of = sa - sb - cin > sign - 1 || sa - sb - cin < -sign;
                af = (a & 0xF) < (b & 0xF) + cin;
                break;
            default:
                break;
        }
        int flags = 0;
        flags |= cf ? Cpu.CF : 0;
        flags |= of ? Cpu.OF : 0;
        flags |= af ? Cpu.AF : 0;
        flags |= r == 0 ? Cpu.ZF : 0;
        flags |= (r & sign) != 0 ? Cpu.SF : 0;
        flags |= Long.bitCount(r & 0xFF) % 2 == 0 ? Cpu.PF : 0;
        return flags;
    }
}
