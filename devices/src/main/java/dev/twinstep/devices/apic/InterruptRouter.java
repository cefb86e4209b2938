package dev.twinstep.devices.apic;

import dev.twinstep.core.cpu.InterruptSource;

/**
 * The CPU's one {@link InterruptSource} on a PC with APICs: the local APIC's fixed interrupts first
 * (as QEMU asks the APIC before the PIC), then the 8259's INTR when it is let through, by LINT0 in
 * ExtINT mode (virtual wire mode, the state after reset, so guests that never touch the APIC behave
 * exactly as with the PIC alone) or by an unmasked ExtINT entry on IOAPIC pin 0. Each check reads
 * cached flags, as it runs at every block boundary. Machine thread only.
 */
public final class InterruptRouter implements InterruptSource {
    private final LocalApic lapic;
    private final IoApic ioApic;
    private final InterruptSource pic;

    public InterruptRouter(LocalApic lapic, IoApic ioApic, InterruptSource pic) {
        this.lapic = lapic;
        this.ioApic = ioApic;
        this.pic = pic;
    }

    @Override
    public boolean hasPendingInterrupt() {
        return lapic.hasDeliverableInterrupt() || (picPassesThrough() && pic.hasPendingInterrupt());
    }

    @Override
    public int acknowledge() {
        if (lapic.hasDeliverableInterrupt()) {
            return lapic.acknowledge();
        }
        if (picPassesThrough() && pic.hasPendingInterrupt()) {
            return pic.acknowledge();
        }
        return lapic.acknowledge();
    }

    private boolean picPassesThrough() {
        return lapic.passesPicInterrupts() || ioApic.passesPicInterrupts();
    }
}
