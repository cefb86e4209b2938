package dev.twinstep.devices.apic;

import dev.twinstep.core.irq.IrqLine;

/**
 * How the 16 ISA IRQ lines reach both interrupt controllers, as on a PC and as the MP table says:
 * each IRQ drives its 8259 input and an IOAPIC pin, IRQ 0 (the PIT) on pin 2 and every other IRQ on
 * the pin of the same number.
 */
public final class IsaIrqRouting {
    /** The IOAPIC pin that carries the PIT's IRQ 0 (pin 0 is the 8259's ExtINT input). */
    public static final int TIMER_PIN = 2;

    private IsaIrqRouting() {
    }

    /** The IOAPIC pin that ISA IRQ {@code irq} (0-15) drives. */
    public static int ioApicPin(int irq) {
        return irq == 0 ? TIMER_PIN : irq;
    }

    /** A line that drives both {@code picInput} and {@code ioApic}'s pin for ISA IRQ {@code irq}. */
    public static IrqLine line(int irq, IrqLine picInput, IoApic ioApic) {
        IrqLine pin = ioApic.pin(ioApicPin(irq));
        return level -> {
            picInput.setLevel(level);
            pin.setLevel(level);
        };
    }
}
