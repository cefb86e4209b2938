package dev.twinstep.devices.apic;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.clock.Timer;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.memory.MmioHandler;
import java.util.Arrays;

/**
 * The local APIC of the single CPU, xAPIC MMIO page at 0xFEE00000: ID, version, TPR/PPR, EOI,
 * LDR/DFR, spurious-vector register, ISR/TMR/IRR, ESR, ICR (self IPIs only), the six LVT entries and
 * the timer (one-shot and periodic, counting from the virtual clock at 1 GHz / divisor as QEMU does,
 * so the current count is computed on read and nothing ticks per instruction).
 *
 * <p>After reset the APIC is software-disabled and LINT0 is in ExtINT mode, unmasked (virtual wire
 * mode, as QEMU sets up the BSP): the 8259 output goes straight to the CPU, so guests that know
 * nothing of the APIC see no difference. {@link InterruptRouter} combines the two sources. The
 * IA32_APIC_BASE global-enable bit and relocation are not modelled: the page stays at 0xFEE00000.
 * Machine thread only.
 */
public final class LocalApic implements MachineDevice, MmioHandler, Stateful {
    /** Physical address of the register page. */
    public static final int BASE_ADDRESS = 0xFEE00000;
    /** Version register: version 0x14 with six LVT entries (max LVT index 5), as QEMU reports. */
    public static final int VERSION = 0x0005_0014;

    static final int REG_ID = 0x020, REG_VERSION = 0x030, REG_TPR = 0x080, REG_APR = 0x090, REG_PPR = 0x0A0,
            REG_EOI = 0x0B0, REG_LDR = 0x0D0, REG_DFR = 0x0E0, REG_SVR = 0x0F0, REG_ISR = 0x100, REG_TMR = 0x180,
            REG_IRR = 0x200, REG_ESR = 0x280, REG_ICR_LOW = 0x300, REG_ICR_HIGH = 0x310, REG_LVT_TIMER = 0x320,
            REG_LVT_LINT0 = 0x350, REG_LVT_ERROR = 0x370, REG_TIMER_INITIAL = 0x380, REG_TIMER_CURRENT = 0x390,
            REG_TIMER_DIVIDE = 0x3E0;

    static final int LVT_TIMER = 0, LVT_THERMAL = 1, LVT_PERF = 2, LVT_LINT0 = 3, LVT_LINT1 = 4, LVT_ERROR = 5;
    static final int LVT_MASKED = 1 << 16;
    static final int LVT_TIMER_PERIODIC = 1 << 17;
    static final int SVR_ENABLED = 1 << 8;
    static final int SVR_SUPPRESS_EOI_BROADCAST = 1 << 12;
    static final int DELIVERY_FIXED = 0, DELIVERY_LOWEST = 1, DELIVERY_NMI = 4, DELIVERY_EXTINT = 7;
    /** Writable bits of each LVT entry, in LVT order (timer mode, trigger/polarity only where they exist). */
    private static final int[] LVT_WRITABLE = {0x300FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF};
    /** A periodic timer never re-arms sooner than this, so a tiny initial count cannot stall the host. */
    static final long MIN_PERIOD_NANOS = 1_000;

    private final VirtualClock clock;
    private final Timer timer;
    private final int[] irr = new int[8];
    private final int[] isr = new int[8];
    private final int[] tmr = new int[8];
    private final int[] lvt = new int[6];
    private int apicId;
    private int tpr;
    private int ldr;
    private int dfr;
    private int svr;
    private int icrLow;
    private int icrHigh;
    private int divideConfig;
    private int divideShift;
    private int initialCount;
    private long countLoadTime;
    private EoiListener eoiListener = vector -> { };
    /** Cached: a fixed interrupt is in IRR with a priority class above PPR and the APIC is enabled. */
    private boolean fixedDeliverable;
    /** Cached: LINT0 passes the 8259's INTR through (ExtINT, unmasked). */
    private boolean lint0PassesPic;

    /** Told the vector of each EOI for a level-triggered interrupt (the IOAPIC clears its remote IRR). */
    @FunctionalInterface
    public interface EoiListener {
        void endOfInterrupt(int vector);
    }

    public LocalApic(VirtualClock clock) {
        this.clock = clock;
        this.timer = clock.newTimer("lapic-timer", this::timerExpired);
        reset();
    }

    /** Receives EOI broadcasts for level-triggered vectors. */
    public void setEoiListener(EoiListener listener) {
        this.eoiListener = listener;
    }

    @Override
    public String name() {
        return "lapic";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        memory.mapMmio(BASE_ADDRESS, GuestMemory.PAGE_SIZE, this);
    }

    @Override
    public void reset() {
        timer.cancel();
        Arrays.fill(irr, 0);
        Arrays.fill(isr, 0);
        Arrays.fill(tmr, 0);
        Arrays.fill(lvt, LVT_MASKED);
        lvt[LVT_LINT0] = DELIVERY_EXTINT << 8;
        apicId = 0;
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        icrLow = 0;
        icrHigh = 0;
        writeDivide(0);
        initialCount = 0;
        countLoadTime = 0;
        update();
    }

    // ---------------------------------------------------------------- CPU side

    /** Whether a fixed interrupt is ready for the CPU. Cheap: a cached flag. */
    public boolean hasDeliverableInterrupt() {
        return fixedDeliverable;
    }

    /** Whether the 8259's INTR reaches the CPU through LINT0 (virtual wire mode). Cheap: a cached flag. */
    public boolean passesPicInterrupts() {
        return lint0PassesPic;
    }

    /**
     * The INTA cycle: moves the highest deliverable IRR vector to ISR and returns it, or returns the
     * spurious vector when nothing is deliverable any more.
     */
    public int acknowledge() {
        int vector = highestBit(irr);
        if (!fixedDeliverable || vector < 0) {
            return svr & 0xFF;
        }
        clearBit(irr, vector);
        setBit(isr, vector);
        update();
        return vector;
    }

    // ---------------------------------------------------------------- bus side

    /**
     * Accepts an interrupt message (from the IOAPIC or a self IPI). Fixed and lowest-priority go to
     * IRR (TMR records the trigger mode); other delivery modes are ignored here.
     */
    public void deliver(int vector, int deliveryMode, boolean levelTriggered) {
        if (deliveryMode != DELIVERY_FIXED && deliveryMode != DELIVERY_LOWEST) {
            return;
        }
        if (vector < 16) {
            return;
        }
        setBit(irr, vector);
        if (levelTriggered) {
            setBit(tmr, vector);
        } else {
            clearBit(tmr, vector);
        }
        update();
    }

    /** Whether a message for {@code destination} in the given destination mode is addressed to this APIC. */
    public boolean isDestination(int destination, boolean logical) {
        destination &= 0xFF;
        if (!logical) {
            return destination == 0xFF || destination == apicId;
        }
        int logicalId = ldr >>> 24;
        if ((dfr >>> 28) == 0xF) {
            return (destination & logicalId) != 0;
        }
        // Cluster model: the high nibble names the cluster (15 = all), the low nibble the members.
        int cluster = destination >>> 4;
        return (cluster == 0xF || cluster == logicalId >>> 4) && (destination & logicalId & 0xF) != 0;
    }

    /** The APIC ID (bits 31-24 of the ID register). */
    public int apicId() {
        return apicId;
    }

    // ---------------------------------------------------------------- registers

    @Override
    public int mmioRead(int offset, int size) {
        int value = readRegister(offset & 0xFF0);
        int shift = (offset & 3) * 8;
        return value >>> shift;
    }

    @Override
    public void mmioWrite(int offset, int size, int value) {
        if ((offset & 0xF) != 0 || size != 4) {
            return;
        }
        writeRegister(offset & 0xFF0, value);
    }

    private int readRegister(int reg) {
        if (reg >= REG_ISR && reg < REG_ISR + 0x80) {
            return isr[(reg - REG_ISR) >>> 4];
        }
        if (reg >= REG_TMR && reg < REG_TMR + 0x80) {
            return tmr[(reg - REG_TMR) >>> 4];
        }
        if (reg >= REG_IRR && reg < REG_IRR + 0x80) {
            return irr[(reg - REG_IRR) >>> 4];
        }
        if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) {
            return lvt[(reg - REG_LVT_TIMER) >>> 4];
        }
        switch (reg) {
            case REG_ID:
                return apicId << 24;
            case REG_VERSION:
                return VERSION;
            case REG_TPR:
                return tpr;
            case REG_PPR:
                return processorPriority();
            case REG_LDR:
                return ldr;
            case REG_DFR:
                return dfr;
            case REG_SVR:
                return svr;
            case REG_ICR_LOW:
                return icrLow;
            case REG_ICR_HIGH:
                return icrHigh;
            case REG_TIMER_INITIAL:
                return initialCount;
            case REG_TIMER_CURRENT:
                return currentCount();
            case REG_TIMER_DIVIDE:
                return divideConfig;
            default:
                return 0;
        }
    }

    private void writeRegister(int reg, int value) {
        if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) {
            writeLvt((reg - REG_LVT_TIMER) >>> 4, value);
            return;
        }
        switch (reg) {
            case REG_ID:
                apicId = value >>> 24;
                break;
            case REG_TPR:
                tpr = value & 0xFF;
                update();
                break;
            case REG_EOI:
                endOfInterrupt();
                break;
            case REG_LDR:
                ldr = value & 0xFF00_0000;
                break;
            case REG_DFR:
                dfr = value | 0x0FFF_FFFF;
                break;
            case REG_SVR:
                writeSpuriousVector(value);
                break;
            case REG_ICR_LOW:
                icrLow = value & ~(1 << 12);
                sendIpi();
                break;
            case REG_ICR_HIGH:
                icrHigh = value & 0xFF00_0000;
                break;
            case REG_TIMER_INITIAL:
                initialCount = value;
                countLoadTime = clock.nowNanos();
                armTimer();
                break;
            case REG_TIMER_DIVIDE:
                writeDivide(value);
                armTimer();
                break;
            default:
                // ESR writes re-arm error latching (no errors are generated); read-only registers ignore writes.
                break;
        }
    }

    private void writeLvt(int index, int value) {
        int entry = value & LVT_WRITABLE[index];
        if ((svr & SVR_ENABLED) == 0) {
            entry |= LVT_MASKED;
        }
        boolean modeChanged = index == LVT_TIMER && ((lvt[index] ^ entry) & LVT_TIMER_PERIODIC) != 0;
        lvt[index] = entry;
        if (modeChanged) {
            armTimer();
        }
        update();
    }

    private void writeSpuriousVector(int value) {
        svr = value & (0xFF | SVR_ENABLED | SVR_SUPPRESS_EOI_BROADCAST);
        if ((svr & SVR_ENABLED) == 0) {
            for (int i = 0; i < lvt.length; i++) {
                lvt[i] |= LVT_MASKED;
            }
        }
        update();
    }

    private void writeDivide(int value) {
        divideConfig = value & 0xB;
        int code = (divideConfig & 3) | ((divideConfig >>> 1) & 4);
        divideShift = (code + 1) & 7;
    }

    private void endOfInterrupt() {
        int vector = highestBit(isr);
        if (vector < 0) {
            return;
        }
        clearBit(isr, vector);
        boolean level = testBit(tmr, vector);
        update();
        if (level && (svr & SVR_SUPPRESS_EOI_BROADCAST) == 0) {
            eoiListener.endOfInterrupt(vector);
        }
    }

    /** Only IPIs this single CPU can receive do anything: to itself, to all, or to its own ID. */
    private void sendIpi() {
        int shorthand = (icrLow >>> 18) & 3;
        boolean toSelf = shorthand == 1 || shorthand == 2
                || (shorthand == 0 && isDestination(icrHigh >>> 24, (icrLow & (1 << 11)) != 0));
        if (toSelf) {
            deliver(icrLow & 0xFF, (icrLow >>> 8) & 7, (icrLow & (1 << 15)) != 0);
        }
    }

    // ---------------------------------------------------------------- timer

    /** Current-count register: counts down one per (divisor) ns since the initial count was written. */
    int currentCount() {
        if (initialCount == 0) {
            return 0;
        }
        long ticks = (clock.nowNanos() - countLoadTime) >>> divideShift;
        long initial = Integer.toUnsignedLong(initialCount);
        if ((lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) != 0) {
            return (int) (initial - ticks % (initial + 1));
        }
        return ticks >= initial ? 0 : (int) (initial - ticks);
    }

    private long periodNanos() {
        return (Integer.toUnsignedLong(initialCount) + 1) << divideShift;
    }

    private void armTimer() {
        timer.cancel();
        if (initialCount == 0) {
            return;
        }
        long now = clock.nowNanos();
        long period = periodNanos();
        if ((lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) != 0) {
            long elapsed = now - countLoadTime;
            long nextExpiry = countLoadTime + (elapsed / period + 1) * period;
            timer.armAt(Math.max(nextExpiry, now + Math.min(period, MIN_PERIOD_NANOS)));
        } else {
            long expiry = countLoadTime + (Integer.toUnsignedLong(initialCount) << divideShift);
            if (expiry > now) {
                timer.armAt(expiry);
            }
        }
    }

    private void timerExpired(long deadline) {
        if ((lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) != 0) {
            timer.armAt(deadline + Math.max(periodNanos(), MIN_PERIOD_NANOS));
        }
        int entry = lvt[LVT_TIMER];
        if ((entry & LVT_MASKED) == 0) {
            deliver(entry & 0xFF, DELIVERY_FIXED, false);
        }
    }

    // ---------------------------------------------------------------- state

    @Override
    public String sectionName() {
        return "lapic";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /** Saves the vector bitmaps, registers, LVT and the timer's load time and next deadline. */
    @Override
    public void save(StateWriter out) {
        out.putInts(irr);
        out.putInts(isr);
        out.putInts(tmr);
        out.putInts(lvt);
        out.putInt(apicId);
        out.putInt(tpr);
        out.putInt(ldr);
        out.putInt(dfr);
        out.putInt(svr);
        out.putInt(icrLow);
        out.putInt(icrHigh);
        out.putInt(divideConfig);
        out.putInt(initialCount);
        out.putLong(countLoadTime);
        out.putBoolean(timer.isArmed());
        out.putLong(timer.isArmed() ? timer.deadline() : 0);
    }

    /** Restores this APIC alone and re-arms its timer at the saved deadline; the EOI listener stays wired. */
    @Override
    public void load(StateReader in, int version) {
        int[] savedIrr = vectorBitmap(in, "IRR");
        int[] savedIsr = vectorBitmap(in, "ISR");
        int[] savedTmr = vectorBitmap(in, "TMR");
        int[] savedLvt = in.getInts();
        StateChecks.inRange("lapic", "LVT entries", savedLvt.length, lvt.length, lvt.length);
        for (int i = 0; i < lvt.length; i++) {
            if ((savedLvt[i] & ~(LVT_WRITABLE[i] | LVT_MASKED)) != 0) {
                throw new StateFormatException("lapic: LVT entry " + i + " has bits no write sets: "
                        + Integer.toHexString(savedLvt[i]));
            }
        }
        System.arraycopy(savedIrr, 0, irr, 0, 8);
        System.arraycopy(savedIsr, 0, isr, 0, 8);
        System.arraycopy(savedTmr, 0, tmr, 0, 8);
        System.arraycopy(savedLvt, 0, lvt, 0, lvt.length);
        apicId = StateChecks.bits("lapic", "id", in.getInt(), 8);
        tpr = StateChecks.bits("lapic", "TPR", in.getInt(), 8);
        ldr = in.getInt() & 0xFF00_0000;
        dfr = in.getInt() | 0x0FFF_FFFF;
        svr = in.getInt();
        if ((svr & ~(0xFF | SVR_ENABLED | SVR_SUPPRESS_EOI_BROADCAST)) != 0) {
            throw new StateFormatException("lapic: SVR " + Integer.toHexString(svr) + " has reserved bits set");
        }
        icrLow = in.getInt();
        icrHigh = in.getInt() & 0xFF00_0000;
        int divide = in.getInt();
        if ((divide & ~0xB) != 0) {
            throw new StateFormatException("lapic: divide configuration " + divide + " has reserved bits set");
        }
        writeDivide(divide);
        initialCount = in.getInt();
        countLoadTime = StateChecks.nonNegative("lapic", "count load time", in.getLong());
        boolean armed = in.getBoolean();
        long deadline = StateChecks.nonNegative("lapic", "timer deadline", in.getLong());
        if (armed) {
            timer.armAt(deadline);
        } else {
            timer.cancel();
        }
        update();
    }

    private static int[] vectorBitmap(StateReader in, String name) {
        int[] bits = in.getInts();
        StateChecks.inRange("lapic", name + " words", bits.length, 8, 8);
        return bits;
    }

    // ---------------------------------------------------------------- priority

    int processorPriority() {
        int isrv = highestBit(isr);
        int inService = isrv < 0 ? 0 : isrv & 0xF0;
        return (tpr & 0xF0) >= inService ? tpr : inService;
    }

    private void update() {
        int vector = highestBit(irr);
        fixedDeliverable = (svr & SVR_ENABLED) != 0 && vector >= 0
                && (vector & 0xF0) > (processorPriority() & 0xF0);
        int lint0 = lvt[LVT_LINT0];
        lint0PassesPic = (lint0 & LVT_MASKED) == 0 && ((lint0 >>> 8) & 7) == DELIVERY_EXTINT;
    }

    private static int highestBit(int[] bits) {
        for (int i = 7; i >= 0; i--) {
            if (bits[i] != 0) {
                return i * 32 + 31 - Integer.numberOfLeadingZeros(bits[i]);
            }
        }
        return -1;
    }

    private static void setBit(int[] bits, int n) {
        bits[n >>> 5] |= 1 << (n & 31);
    }

    private static void clearBit(int[] bits, int n) {
        bits[n >>> 5] &= ~(1 << (n & 31));
    }

    private static boolean testBit(int[] bits, int n) {
        return (bits[n >>> 5] & (1 << (n & 31))) != 0;
    }
}
