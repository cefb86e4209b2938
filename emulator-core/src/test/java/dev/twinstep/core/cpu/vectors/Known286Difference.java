package dev.twinstep.core.cpu.vectors;

import java.util.List;

/**
 * Documented ways in which the 80286 that produced the vectors and a 386-class CPU (ours) must
 * differ, recognised from a failing test's bytes and differences. Used to label failures in the
 * report, so that a real bug never hides among expected differences.
 */
enum Known286Difference {
    LOCK_NOT_ALLOWED("LOCK on an instruction that cannot be locked: the 286 ignores it, a 386 raises #UD (6)"),
    STACK_LIMIT_FAULT("stack-segment access beyond the SS limit: the 286 raises #GP (13), a 386 #SS (12)"),
    INSTRUCTION_OVER_10_BYTES("instruction of 11-15 bytes: the 286 faults (limit 10 bytes), a 386 runs it (limit 15)"),
    STRING_REGISTERS_STEPPED_BEFORE_FAULT("string word at offset FFFF: the 286 has already stepped SI/DI/CX when it"
            + " raises #GP, a 386 faults with them unchanged (and raises #SS where the access is through SS)"),
    FS_GS_SEGMENT_REGISTERS("MOV Sreg with reg 4/5: FS/GS on a 386, #UD (6) on the 286"),
    NO_FPU("ESC opcode: we have no x87 and raise #NM (7) by design; the 286 under test ran it without a coprocessor"),
    OVERFLOW_FLAG_FOR_MULTI_BIT_COUNT("OF after a shift/rotate by more than 1 is undefined (Intel 386 manual);"
            + " the vectors' metadata treats it as defined for C0.x"),
    /** Not a known difference: a bug to report. */
    NONE("not a known 286/386 difference");

    final String reason;

    Known286Difference(String reason) {
        this.reason = reason;
    }

    /**
     * Labels a failure.
     *
     * @param cpuVector the interrupt our CPU took where the hardware took another or none, or -1
     */
    static Known286Difference classify(VectorCase test, List<String> differences, int cpuVector) {
        int[] bytes = test.bytes;
        int opcodeAt = 0;
        boolean lock = false;
        while (opcodeAt < bytes.length - 1 && isPrefix(bytes[opcodeAt])) {
            lock |= bytes[opcodeAt] == 0xF0;
            opcodeAt++;
        }
        int opcode = bytes[opcodeAt];
        int modrm = opcodeAt + 1 < bytes.length ? bytes[opcodeAt + 1] : 0;
        int hardwareVector = test.exceptionVector;
        if (cpuVector == 6 && lock && !lockable(opcode, modrm)) {
            return LOCK_NOT_ALLOWED;
        }
        if (cpuVector == 12 && hardwareVector == 13) {
            return STACK_LIMIT_FAULT;
        }
        if (bytes.length - 1 > 10 && hardwareVector == 13 && cpuVector < 0) {
            return INSTRUCTION_OVER_10_BYTES;
        }
        if ((opcode == 0x8C || opcode == 0x8E) && hardwareVector == 6 && ((modrm >>> 3) & 7) >= 4) {
            return FS_GS_SEGMENT_REGISTERS;
        }
        if (opcode >= 0xD8 && opcode <= 0xDF && cpuVector == 7) {
            return NO_FPU;
        }
        if (isStringWord(opcode) && hardwareVector == 13 && cpuVector < 0 && onlyDiffer(differences, "si:", "di:", "cx:")) {
            return STRING_REGISTERS_STEPPED_BEFORE_FAULT;
        }
        if (opcode == 0xC0 && (bytes[bytes.length - 2] & 0x1F) > 1 && differences.size() == 1
                && differences.get(0).startsWith("flags:") && differences.get(0).endsWith("(differ in OF)")) {
            return OVERFLOW_FLAG_FOR_MULTI_BIT_COUNT;
        }
        return NONE;
    }

    private static boolean isPrefix(int b) {
        return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 || b == 0xF3;
    }

    /** The 386 accepts LOCK only on these read-modify-write instructions, and only with a memory destination. */
    private static boolean lockable(int opcode, int modrm) {
        boolean memory = (modrm >>> 6) != 3;
        int reg = (modrm >>> 3) & 7;
        if (opcode <= 0x31 && (opcode & 0x06) == 0 && (opcode & 0x38) != 0x38) {
            return memory; // ADD/OR/ADC/SBB/AND/SUB/XOR r/m, r (00/01, 08/09 ... 30/31)
        }
        switch (opcode) {
            case 0x86: case 0x87:
                return memory;
            case 0x80: case 0x81: case 0x82: case 0x83:
                return memory && reg != 7;
            case 0xF6: case 0xF7:
                return memory && (reg == 2 || reg == 3);
            case 0xFE: case 0xFF:
                return memory && reg <= 1;
            default:
                return false;
        }
    }

    private static boolean isStringWord(int opcode) {
        return opcode == 0x6D || opcode == 0x6F || opcode == 0xA5 || opcode == 0xA7 || opcode == 0xAB
                || opcode == 0xAD || opcode == 0xAF;
    }

    private static boolean onlyDiffer(List<String> differences, String... registers) {
        for (String difference : differences) {
            boolean listed = false;
            for (String register : registers) {
                listed |= difference.startsWith(register);
            }
            if (!listed) {
                return false;
            }
        }
        return true;
    }
}
