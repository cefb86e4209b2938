package dev.twinstep.devices.rtc;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.clock.Timer;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The MC146818 real-time clock and its 128 bytes of CMOS at 0x70 (index, bit 7 masks NMI) and 0x71
 * (data), IRQ 8. The date and time are derived from the virtual clock: {@code epochSeconds} at power-on
 * plus virtual time, so the RTC stops while the machine is paused and is deterministic in icount mode.
 * Register A's update-in-progress bit is set for the last 244 us of each second; the periodic, alarm
 * and update-ended interrupts raise IRQ 8 and register C reports and clears them on read. Timers run
 * only while an interrupt is enabled, so an idle guest is not woken needlessly; the flags themselves
 * are computed when register C is read.
 */
public final class Mc146818Rtc implements MachineDevice, IoPortHandler, Stateful {
    public static final int PORT = 0x70;
    static final int SECONDS = 0, SECONDS_ALARM = 1, MINUTES = 2, MINUTES_ALARM = 3, HOURS = 4, HOURS_ALARM = 5,
            DAY_OF_WEEK = 6, DAY_OF_MONTH = 7, MONTH = 8, YEAR = 9, REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C,
            REG_D = 0x0D;
    static final int A_UPDATE_IN_PROGRESS = 0x80;
    static final int B_SET = 0x80, B_PERIODIC = 0x40, B_ALARM = 0x20, B_UPDATE_ENDED = 0x10, B_BINARY = 0x04,
            B_24_HOUR = 0x02;
    static final int C_IRQ = 0x80, C_PERIODIC = 0x40, C_ALARM = 0x20, C_UPDATE_ENDED = 0x10;
    private static final long SECOND = 1_000_000_000L;
    private static final long UPDATE_NANOS = 244_000;

    private final VirtualClock clock;
    private final IrqLine irq;
    private final long ramBytes;
    private final long powerOnEpochSeconds;
    private final byte[] cmos = new byte[128];
    private final Timer periodicTimer;
    private final Timer updateTimer;

    private int index;
    private boolean nmiMasked;
    /** RTC seconds = offsetSeconds + whole virtual seconds since power-on. */
    private long offsetSeconds;
    /** While SET is on the time registers hold what the guest wrote, frozen. */
    private final int[] frozen = new int[10];
    private int regA, regB, regC;
    private long lastFlagCheck;
    private boolean irqLevel;

    /**
     * @param epochSeconds the wall-clock time (Unix seconds, UTC) at power-on: host time in realtime
     *                     mode, a fixed value in icount mode
     */
    public Mc146818Rtc(VirtualClock clock, IrqLine irq, long ramBytes, long epochSeconds) {
        this.clock = clock;
        this.irq = irq;
        this.ramBytes = ramBytes;
        this.powerOnEpochSeconds = epochSeconds;
        this.periodicTimer = clock.newTimer("rtc-periodic", this::periodicTick);
        this.updateTimer = clock.newTimer("rtc-update", this::updateTick);
        reset();
    }

    @Override
    public String name() {
        return "rtc";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(PORT, 2, this, "rtc");
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(cmos, (byte) 0);
        CmosMemoryLayout.fill(cmos, ramBytes);
        index = 0;
        nmiMasked = false;
        offsetSeconds = powerOnEpochSeconds - clock.nowNanos() / SECOND;
        regA = 0x26;
        regB = B_24_HOUR;
        regC = 0;
        lastFlagCheck = clock.nowNanos();
        cmos[CmosMemoryLayout.CENTURY] = (byte) encode(currentTime().getYear() / 100);
        periodicTimer.cancel();
        updateTimer.cancel();
        setIrq(false);
    }

    /** Whether the last write to port 0x70 set bit 7 (NMI disabled); nothing raises NMI yet. */
    public boolean nmiMasked() {
        return nmiMasked;
    }

    @Override
    public int ioRead(int offset, int size) {
        return offset == 0 ? 0xFF : readRegister(index);
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        if (offset == 0) {
            index = value & 0x7F;
            nmiMasked = (value & 0x80) != 0;
        } else {
            writeRegister(index, value & 0xFF);
        }
    }

    private LocalDateTime currentTime() {
        long seconds = offsetSeconds + clock.nowNanos() / SECOND;
        return LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    }

    int readRegister(int register) {
        if (register < 10) {
            if (register == SECONDS_ALARM || register == MINUTES_ALARM || register == HOURS_ALARM) {
                return cmos[register] & 0xFF;
            }
            return (regB & B_SET) != 0 ? frozen[register] : timeRegister(register, currentTime());
        }
        switch (register) {
            case REG_A: {
                long phase = clock.nowNanos() % SECOND;
                boolean updating = (regB & B_SET) == 0 && phase >= SECOND - UPDATE_NANOS;
                return regA | (updating ? A_UPDATE_IN_PROGRESS : 0);
            }
            case REG_B:
                return regB;
            case REG_C: {
                collectFlags();
                int value = regC;
                regC = 0;
                setIrq(false);
                return value;
            }
            case REG_D:
                return 0x80; // valid RAM and time: the battery is fine
            default:
                return cmos[register] & 0xFF;
        }
    }

    private int timeRegister(int register, LocalDateTime time) {
        switch (register) {
            case SECONDS:
                return encode(time.getSecond());
            case MINUTES:
                return encode(time.getMinute());
            case HOURS:
                return encodeHour(time.getHour());
            case DAY_OF_WEEK:
                return encode(time.getDayOfWeek().getValue() % 7 + 1); // Sunday = 1
            case DAY_OF_MONTH:
                return encode(time.getDayOfMonth());
            case MONTH:
                return encode(time.getMonthValue());
            default:
                return encode(time.getYear() % 100);
        }
    }

    private int encode(int value) {
        return (regB & B_BINARY) != 0 ? value : (value / 10) << 4 | value % 10;
    }

    private int decode(int value) {
        return (regB & B_BINARY) != 0 ? value : (value >>> 4) * 10 + (value & 0xF);
    }

    private int encodeHour(int hour) {
        if ((regB & B_24_HOUR) != 0) {
            return encode(hour);
        }
        int twelve = hour % 12 == 0 ? 12 : hour % 12;
        return encode(twelve) | (hour >= 12 ? 0x80 : 0);
    }

    private int decodeHour(int value) {
        if ((regB & B_24_HOUR) != 0) {
            return decode(value);
        }
        int twelve = decode(value & 0x7F) % 12;
        return (value & 0x80) != 0 ? twelve + 12 : twelve;
    }

    void writeRegister(int register, int value) {
        if (register < 10) {
            if (register == SECONDS_ALARM || register == MINUTES_ALARM || register == HOURS_ALARM) {
                cmos[register] = (byte) value;
                return;
            }
            if ((regB & B_SET) == 0) {
                snapshotTime();
            }
            frozen[register] = value;
            if ((regB & B_SET) == 0) {
                applyFrozenTime();
            }
            return;
        }
        switch (register) {
            case REG_A:
                regA = value & 0x7F;
                rearm();
                break;
            case REG_B:
                writeRegisterB(value);
                break;
            case REG_C:
            case REG_D:
                break; // read-only
            default:
                cmos[register] = (byte) value;
                break;
        }
    }

    private void writeRegisterB(int value) {
        boolean setBefore = (regB & B_SET) != 0;
        boolean setAfter = (value & B_SET) != 0;
        if (!setBefore && setAfter) {
            snapshotTime();
        }
        if (setAfter) {
            value &= ~B_UPDATE_ENDED; // SET clears UIE
        }
        // The frozen registers are in the old format; a format change while SET is on is the guest's problem.
        regB = value;
        if (setBefore && !setAfter) {
            applyFrozenTime();
        }
        collectFlags();
        rearm();
        updateIrq();
    }

    private void snapshotTime() {
        LocalDateTime now = currentTime();
        for (int r = 0; r < 10; r++) {
            if (r != SECONDS_ALARM && r != MINUTES_ALARM && r != HOURS_ALARM) {
                frozen[r] = timeRegister(r, now);
            }
        }
    }

    /** Restarts the clock from the frozen (guest-written) registers. */
    private void applyFrozenTime() {
        int century = decode(cmos[CmosMemoryLayout.CENTURY] & 0xFF);
        int year = century * 100 + Math.floorMod(decode(frozen[YEAR]), 100);
        int month = Math.min(Math.max(decode(frozen[MONTH]), 1), 12);
        LocalDateTime set;
        try {
            set = LocalDateTime.of(year, month, Math.max(decode(frozen[DAY_OF_MONTH]), 1),
                    Math.min(decodeHour(frozen[HOURS]), 23), Math.min(decode(frozen[MINUTES]), 59),
                    Math.min(decode(frozen[SECONDS]), 59));
        } catch (java.time.DateTimeException invalid) {
            return; // an impossible date: keep counting from the old time
        }
        offsetSeconds = set.toEpochSecond(ZoneOffset.UTC) - clock.nowNanos() / SECOND;
    }

    /** The periodic rate from register A: 0 off, 1-2 alias 8-9, else 32768 >> (rate - 1) Hz. */
    private long periodNanos() {
        int rate = regA & 0x0F;
        if (rate == 0 || (regA & 0x70) != 0x20) {
            return 0;
        }
        if (rate <= 2) {
            rate += 7;
        }
        return (1L << (rate - 1)) * SECOND / 32768;
    }

    /** Sets the periodic and update-ended flags for the boundaries passed since they were last looked at. */
    private void collectFlags() {
        long now = clock.nowNanos();
        long period = periodNanos();
        if (period > 0 && now / period > lastFlagCheck / period) {
            regC |= C_PERIODIC;
        }
        if ((regB & B_SET) == 0 && now / SECOND > lastFlagCheck / SECOND) {
            regC |= C_UPDATE_ENDED;
            if (alarmMatches()) {
                regC |= C_ALARM;
            }
        }
        lastFlagCheck = now;
    }

    private boolean alarmMatches() {
        LocalDateTime now = currentTime();
        return alarmField(SECONDS_ALARM, timeRegister(SECONDS, now))
                && alarmField(MINUTES_ALARM, timeRegister(MINUTES, now))
                && alarmField(HOURS_ALARM, timeRegister(HOURS, now));
    }

    private boolean alarmField(int register, int current) {
        int alarm = cmos[register] & 0xFF;
        return (alarm & 0xC0) == 0xC0 || alarm == current; // 0xC0-0xFF: "don't care"
    }

    /** Arms the timers that an enabled interrupt needs, and only those. */
    private void rearm() {
        long now = clock.nowNanos();
        long period = periodNanos();
        if ((regB & B_PERIODIC) != 0 && period > 0) {
            periodicTimer.armAt((now / period + 1) * period);
        } else {
            periodicTimer.cancel();
        }
        if ((regB & (B_UPDATE_ENDED | B_ALARM)) != 0 && (regB & B_SET) == 0) {
            updateTimer.armAt((now / SECOND + 1) * SECOND);
        } else {
            updateTimer.cancel();
        }
    }

    private void periodicTick(long deadline) {
        regC |= C_PERIODIC;
        long period = periodNanos();
        if (period > 0 && (regB & B_PERIODIC) != 0) {
            periodicTimer.armAt(deadline + period);
        }
        updateIrq();
    }

    private void updateTick(long deadline) {
        collectFlags();
        if ((regB & (B_UPDATE_ENDED | B_ALARM)) != 0 && (regB & B_SET) == 0) {
            updateTimer.armAt(deadline + SECOND);
        }
        updateIrq();
    }

    private void updateIrq() {
        int enabled = regB & (B_PERIODIC | B_ALARM | B_UPDATE_ENDED);
        if ((regC & enabled & 0x70) != 0) {
            regC |= C_IRQ;
            setIrq(true);
        }
    }

    private void setIrq(boolean level) {
        if (level != irqLevel) {
            irqLevel = level;
            irq.setLevel(level);
        }
    }

    @Override
    public String sectionName() {
        return "rtc";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Saves CMOS RAM, the registers and the guest's time as an offset from the virtual clock (which
     * has its own section), so a restored guest reads the same date at the same virtual instant.
     */
    @Override
    public void save(StateWriter out) {
        out.putBytes(cmos);
        out.putByte(index);
        out.putBoolean(nmiMasked);
        out.putLong(offsetSeconds);
        out.putInts(frozen);
        out.putByte(regA);
        out.putByte(regB);
        out.putByte(regC);
        out.putLong(lastFlagCheck);
        out.putBoolean(irqLevel);
        saveTimer(out, periodicTimer);
        saveTimer(out, updateTimer);
    }

    private static void saveTimer(StateWriter out, Timer timer) {
        out.putBoolean(timer.isArmed());
        out.putLong(timer.isArmed() ? timer.deadline() : 0);
    }

    /** Restores the RTC alone, re-arms its timers at their saved deadlines and re-drives IRQ 8. */
    @Override
    public void load(StateReader in, int version) {
        byte[] savedCmos = StateChecks.length("rtc", "CMOS", in.getBytes(), cmos.length);
        int savedIndex = StateChecks.bits("rtc", "index", in.getByte(), 7);
        boolean savedNmiMasked = in.getBoolean();
        long savedOffset = in.getLong();
        int[] savedFrozen = in.getInts();
        StateChecks.inRange("rtc", "frozen time registers", savedFrozen.length, frozen.length, frozen.length);
        for (int value : savedFrozen) {
            StateChecks.bits("rtc", "frozen time register", value, 8);
        }
        System.arraycopy(savedCmos, 0, cmos, 0, cmos.length);
        System.arraycopy(savedFrozen, 0, frozen, 0, frozen.length);
        index = savedIndex;
        nmiMasked = savedNmiMasked;
        offsetSeconds = savedOffset;
        regA = StateChecks.bits("rtc", "register A", in.getByte(), 7);
        regB = in.getByte();
        regC = in.getByte();
        if ((regC & 0x0F) != 0) {
            throw new StateFormatException("rtc: register C " + regC + " has bits the chip never sets");
        }
        lastFlagCheck = StateChecks.nonNegative("rtc", "last flag check", in.getLong());
        boolean level = in.getBoolean();
        loadTimer(in, periodicTimer, "periodic deadline");
        loadTimer(in, updateTimer, "update deadline");
        irqLevel = level;
        irq.setLevel(level);
    }

    private static void loadTimer(StateReader in, Timer timer, String field) {
        boolean armed = in.getBoolean();
        long deadline = StateChecks.nonNegative("rtc", field, in.getLong());
        if (armed) {
            timer.armAt(deadline);
        } else {
            timer.cancel();
        }
    }

    /** A CMOS byte as the guest would read it; for tests. */
    public int cmosByte(int register) {
        return readRegister(register);
    }
}
