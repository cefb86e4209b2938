package dev.twinstep.core.cpu.vectors;

/**
 * One single-step test of the 80286 real-mode vectors: the instruction bytes, the machine state
 * before, and what the hardware changed. Register arrays follow {@link #REGISTER_NAMES}.
 */
final class VectorCase {
    /** The register order of the vector files; also the index order of every register array here. */
    static final String[] REGISTER_NAMES = {
        "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"
    };
    static final int AX = 0, BX = 1, CX = 2, DX = 3, CS = 4, SS = 5, DS = 6, ES = 7, SP = 8, BP = 9,
            SI = 10, DI = 11, IP = 12, FLAGS = 13;
    /** Marks a register that {@code final.regs} does not list: it must keep its initial value. */
    static final int UNCHANGED = -1;
    /** {@link #exceptionVector} when the instruction took no interrupt. */
    static final int NO_EXCEPTION = -1;

    final String form;
    final int index;
    final String name;
    final int[] bytes;
    final int[] initialRegisters;
    final int[] initialRamAddresses;
    final int[] initialRamValues;
    /** Final register values, {@link #UNCHANGED} where the register kept its initial value. */
    final int[] finalRegisters;
    final int[] finalRamAddresses;
    final int[] finalRamValues;
    final int exceptionVector;

    VectorCase(String form, int index, String name, int[] bytes, int[] initialRegisters,
            int[][] initialRam, int[] finalRegisters, int[][] finalRam, int exceptionVector) {
        this.form = form;
        this.index = index;
        this.name = name;
        this.bytes = bytes;
        this.initialRegisters = initialRegisters;
        this.initialRamAddresses = initialRam[0];
        this.initialRamValues = initialRam[1];
        this.finalRegisters = finalRegisters;
        this.finalRamAddresses = finalRam[0];
        this.finalRamValues = finalRam[1];
        this.exceptionVector = exceptionVector;
    }

    /** The value register {@code r} must hold after the test. */
    int expectedRegister(int r) {
        return finalRegisters[r] == UNCHANGED ? initialRegisters[r] : finalRegisters[r];
    }

    /** The instruction bytes in hex, without the terminating HLT. */
    String instructionHex() {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < bytes.length - 1; i++) {
            hex.append(String.format("%02X ", bytes[i]));
        }
        return hex.toString().trim();
    }
}
