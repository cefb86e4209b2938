package dev.twinstep.core.irq;

/**
 * One interrupt request line from a device to an interrupt controller (an ISA IRQ pin of the PIC
 * pair, later also an IOAPIC input). Devices drive the level; edge-triggered inputs see the rising
 * edge. Machine thread only.
 */
public interface IrqLine {
    /** A line connected to nothing. */
    IrqLine NONE = level -> { };

    /** Drives the line high ({@code true}) or low. */
    void setLevel(boolean level);

    /** A pulse: high then low, as an edge-triggered device signals one event. */
    default void pulse() {
        setLevel(true);
        setLevel(false);
    }
}
