package dev.twinstep.core.cpu;

/**
 * Specialised handlers for the instruction forms that dominate compiled 32-bit code (measured on
 * the bench guest: register ALU ops, MOV/MOVZX/LEA, INC/DEC, shifts by an immediate, compare and
 * branch). Each handles one operand size and one operand kind, so it has no size or form branches;
 * the generic handlers remain the reference semantics. {@link #specialise} picks one at decode time.
 */
final class FastOps {
    private FastOps() {
    }

    private static final Exec[] JCC = {
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jo(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jno(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jb(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jae(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                je(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jne(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jbe(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                ja(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                js(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jns(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jp(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jnp(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jl(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jge(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jle(c, i);
            }
        },
        new Exec() {
            @Override
            public void run(Cpu c, Insn i) {
                jg(c, i);
            }
        },
    };

    /** The handler is one of the specialised Jcc handlers above. */
    static boolean isJccHandler(Exec e) {
        for (Exec jcc : JCC) {
            if (jcc == e) {
                return true;
            }
        }
        return false;
    }

    /** Replaces {@code i.exec} by a specialised handler when one fits the decoded form. */
    static void specialise(Insn i) {
        int op = i.opcode;
        if ((op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190)) {
            i.exec = JCC[op & 0xF];
            return;
        }
        if (!i.o32) {
            return;
        }
        boolean reg = !i.mem;
        switch (op) {
            case 0x01: if (reg) { i.exec = ArithmeticHandlers.fastAddRR; } break;
            case 0x03: i.exec = reg ? ArithmeticHandlers.fastAddRR2 : ArithmeticHandlers.fastAddRM; break;
            case 0x09: if (reg) { i.exec = ArithmeticHandlers.fastOrRR; } break;
            case 0x21: if (reg) { i.exec = ArithmeticHandlers.fastAndRR; } break;
            case 0x29: if (reg) { i.exec = ArithmeticHandlers.fastSubRR; } break;
            case 0x2B: if (reg) { i.exec = ArithmeticHandlers.fastSubRR2; } break;
            case 0x31: if (reg) { i.exec = ArithmeticHandlers.fastXorRR; } break;
            case 0x39: i.exec = reg ? ArithmeticHandlers.fastCmpRR : ArithmeticHandlers.fastCmpMR; break;
            case 0x3B: i.exec = reg ? ArithmeticHandlers.fastCmpRR2 : ArithmeticHandlers.fastCmpRM; break;
            case 0x85: if (reg) { i.exec = ArithmeticHandlers.fastTestRR; } break;
            case 0x89: i.exec = reg ? ArithmeticHandlers.fastMovRR : ArithmeticHandlers.fastMovMR; break;
            case 0x8B: i.exec = reg ? ArithmeticHandlers.fastMovRR2 : ArithmeticHandlers.fastMovRM; break;
            case 0x8D: if (!i.addr16) { i.exec = ArithmeticHandlers.fastLea; } break;
            case 0x1B6: i.exec = reg ? ArithmeticHandlers.fastMovzx8R : ArithmeticHandlers.fastMovzx8M; break;
            case 0x1B7: if (!reg) { i.exec = ArithmeticHandlers.fastMovzx16M; } break;
            case 0x83:
            case 0x81:
                if (reg) {
                    specialiseGroup1(i);
                }
                break;
            case 0xC1:
                if (reg && i.sub == ShiftOps.SHL) {
                    i.exec = ArithmeticHandlers.fastShlImm;
                } else if (reg && i.sub == ShiftOps.SHR) {
                    i.exec = ArithmeticHandlers.fastShrImm;
                } else if (reg && i.sub == ShiftOps.SAR) {
                    i.exec = ArithmeticHandlers.fastSarImm;
                }
                break;
            default:
                if (op >= 0x40 && op < 0x48) {
                    i.exec = ArithmeticHandlers.fastInc;
                } else if (op >= 0x48 && op < 0x50) {
                    i.exec = ArithmeticHandlers.fastDec;
                }
                break;
        }
    }

    private static void specialiseGroup1(Insn i) {
        switch (i.sub) {
            case AluOps.ADD: i.exec = ArithmeticHandlers.fastAddRI; break;
            case AluOps.AND: i.exec = ArithmeticHandlers.fastAndRI; break;
            case AluOps.SUB: i.exec = ArithmeticHandlers.fastSubRI; break;
            case AluOps.CMP: i.exec = ArithmeticHandlers.fastCmpRI; break;
            default: break;
        }
    }

    private static void add(Cpu c, int dst, int a, int b) {
        int r = a + b;
        LazyFlags.set(c, LazyFlags.ADD, a, b, r, -1);
        c.regs[dst] = r;
    }

    private static void sub(Cpu c, int dst, int a, int b) {
        int r = a - b;
        LazyFlags.set(c, LazyFlags.SUB, a, b, r, -1);
        c.regs[dst] = r;
    }

    private static void cmp(Cpu c, int a, int b) {
        LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
    }

    static void addRR(Cpu c, Insn i) {
        add(c, i.rm, c.regs[i.rm], c.regs[i.reg]);
    }

    static void addRR2(Cpu c, Insn i) {
        add(c, i.reg, c.regs[i.reg], c.regs[i.rm]);
    }

    static void addRM(Cpu c, Insn i) {
        add(c, i.reg, c.regs[i.reg], c.mmu.read32(i.seg, i.ea(c)));
    }

    static void subRR(Cpu c, Insn i) {
        sub(c, i.rm, c.regs[i.rm], c.regs[i.reg]);
    }

    static void subRR2(Cpu c, Insn i) {
        sub(c, i.reg, c.regs[i.reg], c.regs[i.rm]);
    }

    static void orRR(Cpu c, Insn i) {
        int r = c.regs[i.rm] | c.regs[i.reg];
        LazyFlags.logic(c, r, -1);
        c.regs[i.rm] = r;
    }

    static void andRR(Cpu c, Insn i) {
        int r = c.regs[i.rm] & c.regs[i.reg];
        LazyFlags.logic(c, r, -1);
        c.regs[i.rm] = r;
    }

    static void xorRR(Cpu c, Insn i) {
        int r = c.regs[i.rm] ^ c.regs[i.reg];
        LazyFlags.logic(c, r, -1);
        c.regs[i.rm] = r;
    }

    static void testRR(Cpu c, Insn i) {
        LazyFlags.logic(c, c.regs[i.rm] & c.regs[i.reg], -1);
    }

    static void cmpRR(Cpu c, Insn i) {
        cmp(c, c.regs[i.rm], c.regs[i.reg]);
    }

    static void cmpRR2(Cpu c, Insn i) {
        cmp(c, c.regs[i.reg], c.regs[i.rm]);
    }

    static void cmpMR(Cpu c, Insn i) {
        cmp(c, c.mmu.read32(i.seg, i.ea(c)), c.regs[i.reg]);
    }

    static void cmpRM(Cpu c, Insn i) {
        cmp(c, c.regs[i.reg], c.mmu.read32(i.seg, i.ea(c)));
    }

    static void addRI(Cpu c, Insn i) {
        add(c, i.rm, c.regs[i.rm], i.imm);
    }

    static void subRI(Cpu c, Insn i) {
        sub(c, i.rm, c.regs[i.rm], i.imm);
    }

    static void andRI(Cpu c, Insn i) {
        int r = c.regs[i.rm] & i.imm;
        LazyFlags.logic(c, r, -1);
        c.regs[i.rm] = r;
    }

    static void cmpRI(Cpu c, Insn i) {
        cmp(c, c.regs[i.rm], i.imm);
    }

    static void movRR(Cpu c, Insn i) {
        c.regs[i.rm] = c.regs[i.reg];
    }

    static void movRR2(Cpu c, Insn i) {
        c.regs[i.reg] = c.regs[i.rm];
    }

    static void movMR(Cpu c, Insn i) {
        c.mmu.write32(i.seg, i.ea(c), c.regs[i.reg]);
    }

    static void movRM(Cpu c, Insn i) {
        c.regs[i.reg] = c.mmu.read32(i.seg, i.ea(c));
    }

    static void lea(Cpu c, Insn i) {
        c.regs[i.reg] = i.ea(c);
    }

    static void movzx8R(Cpu c, Insn i) {
        c.regs[i.reg] = c.reg8(i.rm);
    }

    static void movzx8M(Cpu c, Insn i) {
        c.regs[i.reg] = c.mmu.read8(i.seg, i.ea(c));
    }

    static void movzx16M(Cpu c, Insn i) {
        c.regs[i.reg] = c.mmu.read16(i.seg, i.ea(c));
    }

    static void inc(Cpu c, Insn i) {
        int a = c.regs[i.reg];
        int r = a + 1;
        LazyFlags.incDec(c, LazyFlags.ADD, a, r, -1);
        c.regs[i.reg] = r;
    }

    static void dec(Cpu c, Insn i) {
        int a = c.regs[i.reg];
        int r = a - 1;
        LazyFlags.incDec(c, LazyFlags.SUB, a, r, -1);
        c.regs[i.reg] = r;
    }

    static void shlImm(Cpu c, Insn i) {
        int n = i.imm & 31;
        if (n != 0) {
            int a = c.regs[i.rm];
            int r = a << n;
            boolean cf = ((a >>> (32 - n)) & 1) != 0;
            LazyFlags.result(c, r, -1, cf, (r < 0) ^ cf, false);
            c.regs[i.rm] = r;
        }
    }

    static void shrImm(Cpu c, Insn i) {
        int n = i.imm & 31;
        if (n != 0) {
            int a = c.regs[i.rm];
            int r = a >>> n;
            LazyFlags.result(c, r, -1, ((a >>> (n - 1)) & 1) != 0, a < 0, false);
            c.regs[i.rm] = r;
        }
    }

    static void sarImm(Cpu c, Insn i) {
        int n = i.imm & 31;
        if (n != 0) {
            int a = c.regs[i.rm];
            int r = a >> n;
            LazyFlags.result(c, r, -1, ((a >> (n - 1)) & 1) != 0, false, false);
            c.regs[i.rm] = r;
        }
    }

    // One Jcc handler per condition: the condition code is a constant, so condition() folds to the
    // one test, and the branch predictor sees each condition at its own dispatch target.

    static void jo(Cpu c, Insn i) {
        if (c.condition(0)) {
            ControlOps.branch(c, i);
        }
    }

    static void jno(Cpu c, Insn i) {
        if (c.condition(1)) {
            ControlOps.branch(c, i);
        }
    }

    static void jb(Cpu c, Insn i) {
        if (c.condition(2)) {
            ControlOps.branch(c, i);
        }
    }

    static void jae(Cpu c, Insn i) {
        if (c.condition(3)) {
            ControlOps.branch(c, i);
        }
    }

    static void je(Cpu c, Insn i) {
        if (c.condition(4)) {
            ControlOps.branch(c, i);
        }
    }

    static void jne(Cpu c, Insn i) {
        if (c.condition(5)) {
            ControlOps.branch(c, i);
        }
    }

    static void jbe(Cpu c, Insn i) {
        if (c.condition(6)) {
            ControlOps.branch(c, i);
        }
    }

    static void ja(Cpu c, Insn i) {
        if (c.condition(7)) {
            ControlOps.branch(c, i);
        }
    }

    static void js(Cpu c, Insn i) {
        if (c.condition(8)) {
            ControlOps.branch(c, i);
        }
    }

    static void jns(Cpu c, Insn i) {
        if (c.condition(9)) {
            ControlOps.branch(c, i);
        }
    }

    static void jp(Cpu c, Insn i) {
        if (c.condition(10)) {
            ControlOps.branch(c, i);
        }
    }

    static void jnp(Cpu c, Insn i) {
        if (c.condition(11)) {
            ControlOps.branch(c, i);
        }
    }

    static void jl(Cpu c, Insn i) {
        if (c.condition(12)) {
            ControlOps.branch(c, i);
        }
    }

    static void jge(Cpu c, Insn i) {
        if (c.condition(13)) {
            ControlOps.branch(c, i);
        }
    }

    static void jle(Cpu c, Insn i) {
        if (c.condition(14)) {
            ControlOps.branch(c, i);
        }
    }

    static void jg(Cpu c, Insn i) {
        if (c.condition(15)) {
            ControlOps.branch(c, i);
        }
    }
}
