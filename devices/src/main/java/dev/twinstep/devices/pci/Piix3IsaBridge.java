package dev.twinstep.devices.pci;

/**
 * The PIIX3-like PCI-to-ISA bridge at 00:01.0 (8086:7000, class 06/01, multi-function). Its PIRQ route
 * control register (0x60-0x63) reads back the routing {@link PciBus} applies; the routing is fixed,
 * as Twinstep stands in for the firmware that would program it, so guest writes to it are ignored.
 */
public final class Piix3IsaBridge extends PciFunction {
    /** An ISA bridge as QEMU's {@code pc} machine shows it after SeaBIOS. */
    public Piix3IsaBridge() {
        super(0x8086, 0x7000, 0x00, 0x060100, 0x1AF4, 0x1100,
                COMMAND_IO | COMMAND_MEMORY | COMMAND_SERR, 0);
        setHeaderType(0x80);
        int route = 0;
        for (int link = 0; link < 4; link++) {
            route |= PciBus.PIRQ_TO_IRQ[link] << (8 * link);
        }
        setConfig32(0x60, route);
    }
}
