package dev.twinstep.core.state;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;

/**
 * The virtual clock's section "clock": the virtual time at the snapshot, so that time continues
 * from there after a restore (timers belong to the devices that own them and are saved by them).
 * It must be loaded after "cpu": in icount mode time is derived from the instruction count.
 */
public final class ClockSection implements Stateful {
    private final VirtualClock clock;

    /** The section of {@code clock}. */
    public ClockSection(VirtualClock clock) {
        this.clock = clock;
    }

    @Override
    public String sectionName() {
        return "clock";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    @Override
    public void save(StateWriter out) {
        out.putString(clock.mode().name());
        out.putLong(clock.periodNanos());
        out.putLong(clock.nowNanos());
    }

    @Override
    public void load(StateReader in, int version) {
        String mode = in.getString();
        long period = in.getLong();
        long now = in.getLong();
        if (!mode.equals(clock.mode().name()) || (clock.mode() == ClockMode.ICOUNT && period != clock.periodNanos())) {
            throw new StateFormatException("snapshot clock is " + mode + "/" + period + " ns, this machine's is "
                    + clock.mode() + "/" + clock.periodNanos() + " ns");
        }
        clock.restoreNow(now);
    }
}
