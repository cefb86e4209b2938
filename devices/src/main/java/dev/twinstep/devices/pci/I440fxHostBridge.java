package dev.twinstep.devices.pci;

/** The i440FX-like host bridge at 00:00.0 (8086:1237, class 06/00), identity only. */
public final class I440fxHostBridge extends PciFunction {
    /** A host bridge as QEMU's {@code pc} machine shows it after SeaBIOS. */
    public I440fxHostBridge() {
        super(0x8086, 0x1237, 0x02, 0x060000, 0x1AF4, 0x1100,
                COMMAND_IO | COMMAND_MEMORY | COMMAND_SERR, 0);
    }
}
