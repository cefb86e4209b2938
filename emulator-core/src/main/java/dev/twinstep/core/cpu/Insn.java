package dev.twinstep.core.cpu;

/**
 * One decoded instruction: its handler and every operand field it needs, resolved once at decode
 * time (prefixes, ModRM/SIB, displacement, immediates). Plain data, so a block of these could later
 * be compiled to JVM bytecode. Operand helpers read and write the ModRM operand (register or memory)
 * at the decoded operand size.
 */
public final class Insn {
    /** {@link #base} or {@link #index} when the address has none. */
    public static final int NO_REGISTER = -1;

    /** The semantics. */
    public Exec exec;
    /** Length in bytes, prefixes included. */
    public int length;
    /**
     * Guest instructions before this one in its block; lets handlers compute the exact instruction
     * count. (Equal to the position in the block unless a fused pair precedes it.)
     */
    public int indexInBlock;
    /** Guest instructions in the block up to and including this one (a fused pair counts two). */
    int countThrough;
    /** The Jcc fused into this compare by {@link FusedOps}, or null. {@link #length} covers both. */
    Insn pairedBranch;
    /** Opcode bytes (0x0Fxx for two-byte opcodes), for diagnostics. */
    public int opcode;

    /** ModRM reg field, or the register encoded in the opcode. */
    public int reg;
    /** ModRM rm register when {@link #mem} is false. */
    public int rm;
    /** The ModRM operand is in memory. */
    public boolean mem;
    /** Segment register of the memory operand (after overrides). */
    public int seg;
    /** Effective address parts: base and index registers ({@link #NO_REGISTER} = none), index shift, displacement. */
    public int base = NO_REGISTER, index = NO_REGISTER, scale, disp;
    /** 16-bit addressing: the effective address wraps at 64 KiB. */
    public boolean addr16;
    /** 0xFFFF with 16-bit addressing, else all ones. */
    public int addressMask = -1;
    /** 32-bit operand size. */
    public boolean o32;
    /** Immediates (imm2: second immediate, e.g. ENTER's level or a far pointer's selector). */
    public int imm, imm2;
    /** Sub-operation: ALU op, condition code, group reg field... */
    public int sub;
    /** 0 none, 0xF3 REP/REPE, 0xF2 REPNE. */
    public int rep;
    /** Segment override prefix present (-1 none). */
    public int segOverride = -1;
    /** Ends its block: control transfers and state changes that affect decoding or interrupts. */
    public boolean endsBlock;

    /**
     * Blocks that followed when execution left a block through this instruction, with the EIP each
     * starts at and the {@link Cpu#codeEpoch} it was linked in. Following a link skips the fetch
     * translation and the block lookup; it is only followed while the epoch is unchanged (no far
     * transfer, interrupt, exception or paging change since) and the target is still valid. Most
     * exits have one successor (slot 0, plain fields); returns and indirect jumps use up to
     * {@link Interpreter#LINKS} more, allocated on first use.
     */
    Block link0;
    int linkEip0;
    int linkEpoch0;
    Block[] links;
    int[] linkEips;
    int[] linkEpochs;
    /** Next extra slot to replace when every one is taken. */
    int linkVictim;

    /** The effective address (offset within {@link #seg}). */
    public int ea(Cpu cpu) {
        int a = disp;
        if (base >= 0) {
            a += cpu.regs[base];
        }
        if (index >= 0) {
            a += cpu.regs[index] << scale;
        }
        return a & addressMask;
    }

    // ---------------------------------------------------------------- ModRM operand, 8 bits

    public int readRm8(Cpu cpu) {
        return mem ? cpu.mmu.read8(seg, ea(cpu)) : cpu.reg8(rm);
    }

    public void writeRm8(Cpu cpu, int value) {
        if (mem) {
            cpu.mmu.write8(seg, ea(cpu), value);
        } else {
            cpu.setReg8(rm, value);
        }
    }

    // ---------------------------------------------------------------- ModRM operand, 16 or 32 bits

    /** Reads the ModRM operand at the operand size, zero-extended. */
    public int readRmV(Cpu cpu) {
        if (o32) {
            return mem ? cpu.mmu.read32(seg, ea(cpu)) : cpu.regs[rm];
        }
        return mem ? cpu.mmu.read16(seg, ea(cpu)) : cpu.regs[rm] & 0xFFFF;
    }

    public void writeRmV(Cpu cpu, int value) {
        if (o32) {
            if (mem) {
                cpu.mmu.write32(seg, ea(cpu), value);
            } else {
                cpu.regs[rm] = value;
            }
        } else if (mem) {
            cpu.mmu.write16(seg, ea(cpu), value);
        } else {
            cpu.setReg16(rm, value);
        }
    }

    /** Writes the rm register (register form) at the operand size. */
    public void o32Write(Cpu cpu, int value) {
        if (o32) {
            cpu.regs[rm] = value;
        } else {
            cpu.setReg16(rm, value);
        }
    }

    /** Reads memory at {@code offset} in {@link #seg} at the operand size (for read-modify-write). */
    public int readMemV(Cpu cpu, int offset) {
        return o32 ? cpu.mmu.read32(seg, offset) : cpu.mmu.read16(seg, offset);
    }

    public void writeMemV(Cpu cpu, int offset, int value) {
        if (o32) {
            cpu.mmu.write32(seg, offset, value);
        } else {
            cpu.mmu.write16(seg, offset, value);
        }
    }

    /** The reg-field register at the operand size, zero-extended. */
    public int readRegV(Cpu cpu) {
        return o32 ? cpu.regs[reg] : cpu.regs[reg] & 0xFFFF;
    }

    public void writeRegV(Cpu cpu, int value) {
        if (o32) {
            cpu.regs[reg] = value;
        } else {
            cpu.setReg16(reg, value);
        }
    }

    /** Value mask of the operand size. */
    public int widthV() {
        return o32 ? -1 : 0xFFFF;
    }

    /** Operand size in bytes (2 or 4). */
    public int sizeV() {
        return o32 ? 4 : 2;
    }
}
