package dev.twinstep.core.cpu;

import java.util.ArrayList;

/**
 * Decodes guest code into {@link Block}s of {@link Insn}s: prefixes, opcode (one or two bytes),
 * ModRM/SIB/displacement and immediates, with the handler taken from {@link OpcodeTable}.
 * Instruction bytes are fetched through the MMU's fetch translation and the CS limit. Only the
 * block's first instruction may fault while decoding; a later instruction that would fault (or
 * leave the first page) simply ends the block, so the fault is raised when execution gets there.
 * Invalid encodings decode to handlers that raise #UD (or #GP for over-long instructions) when
 * executed.
 */
final class Decoder {
    static final int MAX_BLOCK_INSNS = 64;
    static final int MAX_INSN_LENGTH = 15;

    /** Thrown (preallocated) to end a block before an instruction that cannot be decoded ahead. */
    private static final class StopDecode extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopDecode() {
            super(null, null, false, false);
        }
    }

    private static final StopDecode STOP = new StopDecode();

    private final Cpu cpu;
    private final BlockCache blocks;
    private final ArrayList<Insn> scratch = new ArrayList<>(MAX_BLOCK_INSNS);

    // Fetch cursor
    private int csBase, csLimit;
    private boolean code32;
    private int fetchEip;
    private int insnStart;
    private boolean firstInsn;
    private int startLinearPage;
    private int physPageBase;
    private int cursorLinearPage;
    private int secondPhysPage;

    Decoder(Cpu cpu, BlockCache blocks) {
        this.cpu = cpu;
        this.blocks = blocks;
    }

    /** Decodes and caches the block at CS:{@code eip} (linear {@code linear}, physical {@code phys}). */
    Block decodeBlock(int eip, int linear, int phys, boolean code32) {
        this.csBase = cpu.segBase[Cpu.CS];
        this.csLimit = cpu.segLimit[Cpu.CS];
        this.code32 = code32;
        this.fetchEip = eip;
        this.startLinearPage = linear >>> 12;
        this.cursorLinearPage = startLinearPage;
        this.physPageBase = phys & ~0xFFF;
        this.secondPhysPage = -1;
        scratch.clear();
        while (true) {
            firstInsn = scratch.isEmpty();
            insnStart = fetchEip;
            Insn insn;
            try {
                insn = decodeOne();
            } catch (StopDecode stop) {
                break;
            } catch (CpuException fault) {
                if (firstInsn) {
                    throw fault;
                }
                break;
            }
            insn.indexInBlock = scratch.size();
            scratch.add(insn);
            if (insn.endsBlock || scratch.size() >= MAX_BLOCK_INSNS) {
                break;
            }
            if (!code32 && fetchEip > 0xFFFF) {
                break;
            }
        }
        FusedOps.fuse(scratch);
        int page = phys >>> 12;
        Block b = new Block(scratch.toArray(new Insn[0]), phys, code32, fetchEip - eip, page,
                blocks.generation(page), secondPhysPage, secondPhysPage < 0 ? 0 : blocks.generation(secondPhysPage));
        blocks.put(b);
        return b;
    }

    // ---------------------------------------------------------------- fetch

    int fetch8() {
        int off = fetchEip;
        if (off - insnStart >= MAX_INSN_LENGTH) {
            throw STOP_TOO_LONG;
        }
        if (Integer.compareUnsigned(off, csLimit) > 0 || (!code32 && off > 0xFFFF)) {
            if (!firstInsn) {
                throw STOP;
            }
            throw cpu.fault(CpuException.GP, 0);
        }
        int lin = csBase + off;
        if ((lin >>> 12) != cursorLinearPage) {
            if (!firstInsn) {
                throw STOP;
            }
            int p = cpu.mmu.translateFetch(lin);
            cursorLinearPage = lin >>> 12;
            physPageBase = p & ~0xFFF;
            secondPhysPage = p >>> 12;
        }
        fetchEip = off + 1;
        return cpu.memory.read8(physPageBase | (lin & 0xFFF));
    }

    int fetch16() {
        int lo = fetch8();
        return lo | (fetch8() << 8);
    }

    int fetch32() {
        int lo = fetch16();
        return lo | (fetch16() << 16);
    }

    /** Over-long instruction: caught in decodeOne and turned into a #GP(0) instruction. */
    private static final StopDecode STOP_TOO_LONG = new StopDecode();

    // ---------------------------------------------------------------- one instruction

    private Insn decodeOne() {
        Insn i = new Insn();
        try {
            decodeInto(i);
        } catch (StopDecode s) {
            if (s != STOP_TOO_LONG) {
                throw s;
            }
            i.exec = SystemHandlers.systemGeneralProtection;
            i.endsBlock = true;
        }
        i.length = fetchEip - insnStart;
        return i;
    }

    private void decodeInto(Insn i) {
        boolean o32 = code32, a32 = code32, lock = false;
        int segOverride = -1, rep = 0, op;
        while (true) {
            op = fetch8();
            switch (op) {
                case 0x26: segOverride = Cpu.ES; continue;
                case 0x2E: segOverride = Cpu.CS; continue;
                case 0x36: segOverride = Cpu.SS; continue;
                case 0x3E: segOverride = Cpu.DS; continue;
                case 0x64: segOverride = Cpu.FS; continue;
                case 0x65: segOverride = Cpu.GS; continue;
                case 0x66: o32 = !code32; continue;
                case 0x67: a32 = !code32; continue;
                case 0xF0: lock = true; continue;
                case 0xF2:
                case 0xF3: rep = op; continue;
                default: break;
            }
            break;
        }
        if (op == 0x0F) {
            op = 0x100 | fetch8();
        }
        i.opcode = op;
        i.o32 = o32;
        i.addr16 = !a32;
        i.addressMask = a32 ? -1 : 0xFFFF;
        i.rep = rep;
        i.segOverride = segOverride;
        i.seg = segOverride >= 0 ? segOverride : Cpu.DS;
        int form = OpcodeTable.FORM[op];
        Exec exec = OpcodeTable.EXEC[op];
        if ((form & OpcodeTable.MODRM) != 0) {
            int modrm = fetch8();
            i.reg = (modrm >>> 3) & 7;
            if ((form & OpcodeTable.REG_ONLY) != 0) {
                i.rm = modrm & 7;
            } else {
                decodeModrm(i, modrm, a32, segOverride);
            }
            Exec[] group = OpcodeTable.GROUP[op];
            if (group != null) {
                exec = group[i.reg];
                form |= OpcodeTable.GROUP_FORM[op][i.reg];
                i.sub = i.reg;
            }
        }
        OpcodeTable.preset(i, op);
        fetchImmediates(i, form, o32, a32);
        if (exec == null) {
            exec = SystemHandlers.systemInvalidOpcode;
            form |= OpcodeTable.END;
        }
        if (lock && ((form & OpcodeTable.LOCKABLE) == 0 || !i.mem)) {
            exec = SystemHandlers.systemInvalidOpcode;
            form |= OpcodeTable.END;
        }
        if ((form & OpcodeTable.NEEDS_MEM) != 0 && !i.mem) {
            exec = SystemHandlers.systemInvalidOpcode;
            form |= OpcodeTable.END;
        }
        i.exec = exec;
        i.endsBlock = (form & OpcodeTable.END) != 0;
        if (exec == OpcodeTable.EXEC[op] || (OpcodeTable.GROUP[op] != null && exec == OpcodeTable.GROUP[op][i.reg])) {
            FastOps.specialise(i);
            BaseDispOps.specialise(i);
        }
    }

    private void fetchImmediates(Insn i, int form, boolean o32, boolean a32) {
        if ((form & OpcodeTable.MOFFS) != 0) {
            i.mem = true;
            i.base = i.index = Insn.NO_REGISTER;
            i.disp = a32 ? fetch32() : fetch16();
        }
        if ((form & OpcodeTable.IMM8) != 0) {
            i.imm = fetch8();
        } else if ((form & OpcodeTable.IMM8S) != 0) {
            i.imm = (byte) fetch8();
        } else if ((form & OpcodeTable.IMM16) != 0) {
            i.imm = fetch16();
        } else if ((form & OpcodeTable.IMMV) != 0) {
            i.imm = o32 ? fetch32() : (short) fetch16();
        } else if ((form & OpcodeTable.PTR) != 0) {
            i.imm = o32 ? fetch32() : fetch16();
            i.imm2 = fetch16();
        }
        if ((form & OpcodeTable.IMM8_2) != 0) {
            i.imm2 = fetch8();
        }
    }

    private void decodeModrm(Insn i, int modrm, boolean a32, int segOverride) {
        int mod = modrm >>> 6;
        int rm = modrm & 7;
        if (mod == 3) {
            i.mem = false;
            i.rm = rm;
            return;
        }
        i.mem = true;
        int defaultSeg = Cpu.DS;
        if (!a32) {
            switch (rm) {
                case 0: i.base = Cpu.EBX; i.index = Cpu.ESI; break;
                case 1: i.base = Cpu.EBX; i.index = Cpu.EDI; break;
                case 2: i.base = Cpu.EBP; i.index = Cpu.ESI; defaultSeg = Cpu.SS; break;
                case 3: i.base = Cpu.EBP; i.index = Cpu.EDI; defaultSeg = Cpu.SS; break;
                case 4: i.base = Cpu.ESI; break;
                case 5: i.base = Cpu.EDI; break;
                case 6:
                    if (mod != 0) {
                        i.base = Cpu.EBP;
                        defaultSeg = Cpu.SS;
                    }
                    break;
                default: i.base = Cpu.EBX; break;
            }
            if (mod == 0 && rm == 6) {
                i.disp = fetch16();
            } else if (mod == 1) {
                i.disp = (byte) fetch8();
            } else if (mod == 2) {
                i.disp = (short) fetch16();
            }
        } else {
            if (rm == 4) {
                int sib = fetch8();
                int scale = sib >>> 6, index = (sib >>> 3) & 7, base = sib & 7;
                i.scale = scale;
                i.index = index == 4 ? Insn.NO_REGISTER : index;
                if (base == 5 && mod == 0) {
                    i.base = Insn.NO_REGISTER;
                    i.disp = fetch32();
                } else {
                    i.base = base;
                    if (base == Cpu.ESP || base == Cpu.EBP) {
                        defaultSeg = Cpu.SS;
                    }
                }
            } else if (rm == 5 && mod == 0) {
                i.base = Insn.NO_REGISTER;
                i.disp = fetch32();
            } else {
                i.base = rm;
                if (rm == Cpu.EBP) {
                    defaultSeg = Cpu.SS;
                }
            }
            if (mod == 1) {
                i.disp = (byte) fetch8();
            } else if (mod == 2) {
                i.disp = fetch32();
            }
        }
        i.seg = segOverride >= 0 ? segOverride : defaultSeg;
    }
}
