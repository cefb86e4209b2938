package dev.twinstep.core.cpu;

/**
 * The execution loop: finds (or decodes) the block at CS:EIP, runs it, and between blocks takes
 * external interrupts and stop requests. Guest exceptions thrown by a handler are delivered here
 * with the faulting instruction's EIP as the return address.
 */
final class Interpreter {
    /** Extra successor links per block-exit instruction (a RET or an indirect jump has several). */
    static final int LINKS = 4;
    /** Entries of the jump cache (a power of two). */
    private static final int JUMP_CACHE_SIZE = 4096;

    private final Cpu cpu;
    private final BlockCache blocks;
    private final Decoder decoder;
    /** The executing block: a store to one of its pages ends it after the current instruction. */
    private Block running;
    /** The instruction that left the last block, whose links may lead to the next; null after a disruption. */
    private Insn previous;
    /**
     * Blocks recently entered, by EIP and {@link Cpu#codeEpoch} (QEMU's tb_jmp_cache): catches the
     * exits whose successor links thrash, typically a RET of a function with many callers, without
     * repeating the fetch translation and the block-table lookup. Valid under the same conditions as
     * a link: same epoch (CS, paging and CPL unchanged) and the block's code not written since.
     */
    private final Block[] jumpBlocks = new Block[JUMP_CACHE_SIZE];
    private final int[] jumpEips = new int[JUMP_CACHE_SIZE];
    private final int[] jumpEpochs = new int[JUMP_CACHE_SIZE];

    Interpreter(Cpu cpu) {
        this.cpu = cpu;
        this.blocks = new BlockCache(cpu.memory);
        this.decoder = new Decoder(cpu, blocks);
        cpu.memory.setCodeWriteListener(this::codePageWritten);
    }

    BlockCache blocks() {
        return blocks;
    }

    private void codePageWritten(int page) {
        blocks.pageWritten(page);
        Block b = running;
        if (b != null && (page == b.page || page == b.page2)) {
            cpu.blockExit = true;
        }
    }

    long execute(long budget) {
        Cpu c = cpu;
        long start = c.instructionCount;
        long end = start + budget;
        // Blocks that retire nothing (a fault on every fetch) still use up the budget, so this returns.
        long rounds = 0;
        previous = null;
        // The CPU state may have been changed from outside (state load, a test rig) since the last
        // call: nothing chained or cached under the old epoch may be followed.
        c.codeEpoch++;
        while (!c.stopRequested) {
            if (c.interruptShadow) {
                c.interruptShadow = false;
            } else if ((c.eflags & Cpu.IF) != 0 && c.interruptSource.hasPendingInterrupt()) {
                acceptInterrupt();
            }
            if (c.halted) {
                break;
            }
            runBlock();
            if (c.instructionCount - end >= 0 || ++rounds >= budget) {
                break;
            }
        }
        return c.instructionCount - start;
    }

    private void acceptInterrupt() {
        int vector = cpu.interruptSource.acknowledge();
        if (vector < 0) {
            return;
        }
        cpu.halted = false;
        cpu.nextEip = cpu.eip;
        deliver(vector & 0xFF, Interrupts.EXTERNAL, false, 0);
    }

    private void deliver(int vector, int kind, boolean hasErrorCode, int errorCode) {
        cpu.codeEpoch++;
        previous = null;
        try {
            cpu.interrupts.deliver(vector, kind, hasErrorCode, errorCode);
        } catch (CpuException nested) {
            throw new MachineHalt(MachineHalt.Kind.SHUTDOWN, 0, "exception " + nested.vector
                    + " while delivering vector " + vector + " at " + Integer.toHexString(cpu.eip));
        }
        cpu.eip = cpu.nextEip;
    }

    /** Delivers the exception held in the CPU's preallocated instance as a fault at cpu.eip. */
    private void deliverFault(CpuException e) {
        int vector = e.vector;
        boolean hasCode = e.hasErrorCode;
        int code = e.errorCode;
        cpu.nextEip = cpu.eip;
        deliver(vector, Interrupts.EXCEPTION, hasCode, code);
    }

    private Block findBlock(Cpu c, int eip, boolean code32) {
        int linear = c.segBase[Cpu.CS] + eip;
        int phys = c.mmu.translateFetch(linear);
        Block b = blocks.lookup(phys, code32);
        if (b != null) {
            boolean fits = Integer.compareUnsigned(eip + b.byteLength - 1, c.segLimit[Cpu.CS]) <= 0
                    && (code32 || eip + b.byteLength <= 0x10000);
            boolean samePage2 = b.page2 < 0
                    || (c.mmu.translateFetch((linear | 0xFFF) + 1) >>> 12) == b.page2;
            if (fits && samePage2) {
                return b;
            }
        }
        return decoder.decodeBlock(eip, linear, phys, code32);
    }

    private static int jumpSlot(int eip) {
        return (eip ^ (eip >>> 12)) & (JUMP_CACHE_SIZE - 1);
    }

    private Block cachedJump(Cpu c, int eip, boolean code32) {
        int slot = jumpSlot(eip);
        Block b = jumpBlocks[slot];
        if (b != null && jumpEips[slot] == eip && jumpEpochs[slot] == c.codeEpoch && b.code32 == code32
                && blocks.isValid(b)) {
            return b;
        }
        return null;
    }

    private void rememberJump(Cpu c, Block b, int eip) {
        int slot = jumpSlot(eip);
        jumpBlocks[slot] = b;
        jumpEips[slot] = eip;
        jumpEpochs[slot] = c.codeEpoch;
    }

    private Block linkedSuccessor(Cpu c, int eip) {
        Insn p = previous;
        if (p == null) {
            return null;
        }
        int epoch = c.codeEpoch;
        Block b = p.link0;
        if (b != null && p.linkEip0 == eip && p.linkEpoch0 == epoch && blocks.isValid(b)) {
            return b;
        }
        Block[] links = p.links;
        if (links == null) {
            return null;
        }
        int[] eips = p.linkEips;
        int[] epochs = p.linkEpochs;
        for (int k = 0; k < LINKS; k++) {
            b = links[k];
            if (b != null && eips[k] == eip && epochs[k] == epoch && blocks.isValid(b)) {
                return b;
            }
        }
        return null;
    }

    private static void link(Cpu c, Insn from, Block to, int eip) {
        if (from == null) {
            return;
        }
        int epoch = c.codeEpoch;
        if (from.link0 == null || from.linkEpoch0 != epoch || from.linkEip0 == eip) {
            from.link0 = to;
            from.linkEip0 = eip;
            from.linkEpoch0 = epoch;
            return;
        }
        if (from.links == null) {
            from.links = new Block[LINKS];
            from.linkEips = new int[LINKS];
            from.linkEpochs = new int[LINKS];
        }
        int slot = -1;
        for (int k = 0; k < LINKS && slot < 0; k++) {
            if (from.links[k] == null || from.linkEpochs[k] != epoch || from.linkEips[k] == eip) {
                slot = k;
            }
        }
        if (slot < 0) {
            slot = from.linkVictim;
            from.linkVictim = (slot + 1) % LINKS;
        }
        from.links[slot] = to;
        from.linkEips[slot] = eip;
        from.linkEpochs[slot] = epoch;
    }

    private void runBlock() {
        Cpu c = cpu;
        int eip = c.eip;
        Block b = linkedSuccessor(c, eip);
        // A linked successor was decoded for the same CS (links do not survive a CS change).
        boolean code32 = b != null ? b.code32 : c.code32();
        if (b == null) {
            b = cachedJump(c, eip, code32);
            if (b == null) {
                try {
                    b = findBlock(c, eip, code32);
                } catch (CpuException e) {
                    deliverFault(e);
                    return;
                }
                rememberJump(c, b, eip);
            }
            link(c, previous, b, eip);
        }
        previous = null;
        Insn[] insns = b.insns;
        int n = insns.length;
        boolean singleStep = (c.eflags & Cpu.TF) != 0;
        if (singleStep) {
            n = 1;
        }
        int ipMask = code32 ? -1 : 0xFFFF;
        running = b;
        c.blockStartCount = c.instructionCount;
        c.blockExit = false;
        int i = 0;
        try {
            // Unrolled by two: each copy has its own indirect call site, which gives the host's
            // branch predictor two histories to learn handler sequences from instead of one.
            while (i < n) {
                Insn in = insns[i];
                int sequential = (eip + in.length) & ipMask;
                c.nextEip = sequential;
                in.exec.run(c, in);
                eip = c.nextEip;
                i++;
                // A taken conditional branch leaves the block in the middle.
                if (c.blockExit || eip != sequential || i >= n) {
                    break;
                }
                in = insns[i];
                sequential = (eip + in.length) & ipMask;
                c.nextEip = sequential;
                in.exec.run(c, in);
                eip = c.nextEip;
                i++;
                if (c.blockExit || eip != sequential) {
                    break;
                }
            }
            c.eip = eip;
            Insn last = insns[i - 1];
            c.instructionCount = c.blockStartCount + last.countThrough;
            if (c.pairSplit) {
                // A fused pair stopped at its branch (single step): only the compare retired.
                c.pairSplit = false;
                c.instructionCount--;
            }
            previous = last;
        } catch (CpuException e) {
            // cpu.eip is not stored per instruction; eip still holds the faulting one's.
            Insn faulting = insns[i];
            c.eip = eip;
            c.instructionCount = c.blockStartCount + faulting.indexInBlock;
            if (c.pairSplit) {
                // The branch of a fused pair faulted after its compare retired.
                c.pairSplit = false;
                c.eip = (eip + faulting.length - faulting.pairedBranch.length) & ipMask;
                c.instructionCount++;
            }
            running = null;
            deliverFault(e);
            return;
        } catch (MachineHalt h) {
            c.instructionCount = c.blockStartCount + insns[i].countThrough;
            c.eip = c.nextEip;
            throw h;
        } finally {
            running = null;
        }
        if (singleStep && !c.halted) {
            c.dr[6] |= 1 << 14;
            c.nextEip = c.eip;
            deliver(CpuException.DB, Interrupts.EXCEPTION, false, 0);
        }
    }
}
