package dev.twinstep.devices.pit;

import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.devices.state.StateChecks;

/**
 * One counter of the 8254. Its value and output are not stepped tick by tick: they are computed from
 * the tick at which the count was loaded, so reading costs nothing and only output transitions
 * (the next one is {@link #nextTransition}) need a timer.
 */
final class PitChannel {
    static final int ACCESS_LATCH = 0, ACCESS_LOW = 1, ACCESS_HIGH = 2, ACCESS_WORD = 3;

    int mode;
    int access = ACCESS_WORD;
    boolean bcd;
    boolean gate;
    /** The count in effect (1-65536, or 1-10000 in BCD). */
    int count = 0x10000;
    /** The tick at which {@link #count} was loaded (or the gate retriggered the counter). */
    long loadTick;
    /** False after a control word until a count is written: the counter holds its output. */
    boolean counting;
    boolean nullCount = true;

    private int writeLow;
    private boolean writeHighNext;
    private boolean readHighNext;
    private int latchedCount;
    /** Bytes of the latched count still to be read (0: none latched). */
    private int latchedBytes;
    private boolean latchedHighNext;
    private int latchedStatus = -1;

    void reset(boolean gateHigh) {
        mode = 0;
        access = ACCESS_WORD;
        bcd = false;
        gate = gateHigh;
        count = 0x10000;
        loadTick = 0;
        counting = false;
        nullCount = true;
        writeHighNext = false;
        readHighNext = false;
        latchedBytes = 0;
        latchedStatus = -1;
    }

    /** A control word for this channel with a non-zero access field. */
    void program(int controlWord) {
        access = (controlWord >>> 4) & 3;
        mode = (controlWord >>> 1) & 7;
        if (mode > 5) {
            mode -= 4; // 6 and 7 are aliases of modes 2 and 3
        }
        bcd = (controlWord & 1) != 0;
        counting = false;
        nullCount = true;
        writeHighNext = false;
        readHighNext = false;
    }

    /** The counter-latch command: freezes the current count until it is read (once). */
    void latchCount(long now) {
        if (latchedBytes == 0) {
            latchedCount = currentCount(now);
            latchedBytes = access == ACCESS_WORD ? 2 : 1;
            latchedHighNext = access == ACCESS_HIGH;
        }
    }

    /** The read-back status latch. */
    void latchStatus(long now) {
        if (latchedStatus < 0) {
            latchedStatus = (output(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | (access << 4) | (mode << 1) | (bcd ? 1 : 0);
        }
    }

    /** A data-port write; returns true when a complete count was loaded. */
    boolean writeData(int value, long now) {
        switch (access) {
            case ACCESS_LOW:
                load(value & 0xFF, now);
                return true;
            case ACCESS_HIGH:
                load((value & 0xFF) << 8, now);
                return true;
            default:
                if (!writeHighNext) {
                    writeLow = value & 0xFF;
                    writeHighNext = true;
                    return false;
                }
                writeHighNext = false;
                load(writeLow | (value & 0xFF) << 8, now);
                return true;
        }
    }

    private void load(int raw, long now) {
        int value = bcd ? fromBcd(raw) : raw;
        if (value == 0) {
            value = bcd ? 10000 : 0x10000;
        }
        count = value;
        loadTick = now;
        counting = true;
        nullCount = false;
    }

    /** A data-port read: the status latch first, then a latched count, else the live count. */
    int readData(long now) {
        if (latchedStatus >= 0) {
            int status = latchedStatus;
            latchedStatus = -1;
            return status;
        }
        if (latchedBytes > 0) {
            int value = encode(latchedCount);
            int result = latchedHighNext ? value >>> 8 : value & 0xFF;
            latchedHighNext = !latchedHighNext;
            latchedBytes--;
            return result & 0xFF;
        }
        int value = encode(currentCount(now));
        switch (access) {
            case ACCESS_LOW:
                return value & 0xFF;
            case ACCESS_HIGH:
                return (value >>> 8) & 0xFF;
            default:
                readHighNext = !readHighNext;
                return (readHighNext ? value : value >>> 8) & 0xFF;
        }
    }

    private int encode(int value) {
        return bcd ? toBcd(value % 10000) : value & 0xFFFF;
    }

    /** The counting element at tick {@code now}. */
    int currentCount(long now) {
        if (!counting) {
            return count & 0xFFFF;
        }
        long elapsed = now - loadTick;
        int modulus = bcd ? 10000 : 0x10000;
        switch (mode) {
            case 2:
                return (int) (count - elapsed % count);
            case 3: {
                // Counts down by two each tick (twice per period), reloading at each half.
                long phase = elapsed % count;
                int half = (count + 1) / 2;
                long remaining = phase < half ? count - 2 * phase : count - 2 * (phase - half);
                return (int) Math.max(remaining, 2) & 0xFFFF;
            }
            default:
                return (int) Math.floorMod(count - elapsed, modulus);
        }
    }

    /**
     * The OUT pin at tick {@code now}. Modes 2, 4 and 5 follow QEMU's model (OUT high only during the
     * terminal tick, rising edge at the end of each period) so that IRQ 0 edges, and what a guest
     * counts, match the reference machine.
     */
    boolean output(long now) {
        if (!counting) {
            return false;
        }
        long elapsed = now - loadTick;
        switch (mode) {
            case 0:
            case 1:
                return elapsed >= count;
            case 2:
                return elapsed != 0 && elapsed % count == 0;
            case 3:
                return elapsed % count < (count + 1) / 2;
            default:
                return elapsed == count;
        }
    }

    /** The first tick after {@code now} at which OUT changes, or -1 if it never does on its own. */
    long nextTransition(long now) {
        if (!counting) {
            return -1;
        }
        long elapsed = now - loadTick;
        long next;
        switch (mode) {
            case 0:
            case 1:
                next = elapsed < count ? count : -1;
                break;
            case 2: {
                if (!gate || count < 2) {
                    return -1; // a count of 1 is illegal in mode 2
                }
                long phase = elapsed % count;
                next = phase == 0 && elapsed != 0 ? elapsed + 1 : elapsed - phase + count;
                break;
            }
            case 3: {
                if (!gate || count < 2) {
                    return -1;
                }
                long phase = elapsed % count;
                long base = elapsed - phase;
                int half = (count + 1) / 2;
                next = phase < half ? base + half : base + count;
                break;
            }
            default:
                next = elapsed < count ? count : elapsed == count ? count + 1 : -1;
                break;
        }
        return next < 0 ? -1 : loadTick + next;
    }

    /** The gate input (only channel 2's can change on a PC). */
    void setGate(boolean high, long now) {
        boolean rising = high && !gate;
        gate = high;
        if (rising && counting && mode != 0 && mode != 4) {
            // Modes 1 and 5 are (re)triggered by a rising gate; modes 2 and 3 restart their period.
            loadTick = now;
        }
    }

    /** Writes the programming, the running count and any pending read or write latch. */
    void save(StateWriter out) {
        out.putByte(mode);
        out.putByte(access);
        out.putBoolean(bcd);
        out.putBoolean(gate);
        out.putInt(count);
        out.putLong(loadTick);
        out.putBoolean(counting);
        out.putBoolean(nullCount);
        out.putByte(writeLow);
        out.putBoolean(writeHighNext);
        out.putBoolean(readHighNext);
        out.putInt(latchedCount);
        out.putByte(latchedBytes);
        out.putBoolean(latchedHighNext);
        out.putInt(latchedStatus);
    }

    /** Reads what {@link #save} wrote, refusing counts and modes the chip cannot hold. */
    void load(StateReader in, String section) {
        mode = StateChecks.inRange(section, "mode", in.getByte(), 0, 5);
        access = StateChecks.inRange(section, "access", in.getByte(), ACCESS_LOW, ACCESS_WORD);
        bcd = in.getBoolean();
        gate = in.getBoolean();
        count = StateChecks.inRange(section, "count", in.getInt(), 1, 0x10000);
        loadTick = StateChecks.nonNegative(section, "load tick", in.getLong());
        counting = in.getBoolean();
        nullCount = in.getBoolean();
        writeLow = in.getByte();
        writeHighNext = in.getBoolean();
        readHighNext = in.getBoolean();
        latchedCount = StateChecks.bits(section, "latched count", in.getInt(), 16);
        latchedBytes = StateChecks.inRange(section, "latched bytes", in.getByte(), 0, 2);
        latchedHighNext = in.getBoolean();
        latchedStatus = StateChecks.inRange(section, "latched status", in.getInt(), -1, 0xFF);
    }

    static int fromBcd(int raw) {
        return ((raw >>> 12) & 0xF) * 1000 + ((raw >>> 8) & 0xF) * 100 + ((raw >>> 4) & 0xF) * 10 + (raw & 0xF);
    }

    static int toBcd(int value) {
        return (value / 1000 % 10) << 12 | (value / 100 % 10) << 8 | (value / 10 % 10) << 4 | value % 10;
    }
}
