package dev.twinstep.tools;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.devices.apic.InterruptRouter;
import dev.twinstep.devices.apic.IoApic;
import dev.twinstep.devices.apic.IsaIrqRouting;
import dev.twinstep.devices.apic.LocalApic;
import dev.twinstep.devices.debugexit.IsaDebugExit;
import dev.twinstep.devices.i8042.I8042Controller;
import dev.twinstep.devices.i8042.SystemControlPortA;
import dev.twinstep.devices.mptable.MpTableWriter;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.virtio.VirtioNetPci;
import dev.twinstep.devices.pci.PciBus;
import dev.twinstep.devices.pci.PciFunctionState;
import dev.twinstep.devices.pic.PicPair;
import dev.twinstep.devices.pit.Pit8254;
import dev.twinstep.devices.rtc.Mc146818Rtc;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.serial.Uart16550;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Wires the PC platform onto a {@link Machine}: the PIC pair, the LAPIC and the IOAPIC combined as the CPU's
 * interrupt source (ISA IRQs reach both the PIC and the IOAPIC), the MP tables in the BIOS area, the PIT
 * on IRQ 0, the i8042 on IRQ 1 and port 0x92, the RTC on IRQ 8, COM1 (IRQ 4) and optionally COM2
 * (IRQ 3), isa-debug-exit, and the PCI bus (i440FX host bridge, PIIX3 ISA bridge) where a virtio-net
 * NIC can be plugged. A reset request from the i8042 or port 0x92 ends the run with
 * {@code RESET} (rebooting the kernel is not done yet).
 */
final class PcPlatform {
    /** The RTC's wall-clock time at power-on in icount mode: 2026-01-01T00:00:00Z, so runs repeat. */
    static final long ICOUNT_EPOCH_SECONDS = 1_767_225_600L;
    /** The IOAPIC's ID: 0, as in the MP table SeaBIOS writes for QEMU's one-CPU pc machine. */
    static final int IOAPIC_ID = 0;
    /** CPUID leaf 1 EAX and EDX as the CPU reports them (with the APIC bit 9), for the MP table. */
    static final int CPU_SIGNATURE = 0x633;
    static final int CPU_FEATURES = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 9) | (1 << 15);
    /** What the MP table describes: the BSP's LAPIC (ID 0) and the IOAPIC. */
    static final MpTableWriter.Platform MP_PLATFORM = new MpTableWriter.Platform(0, LocalApic.VERSION & 0xFF,
            LocalApic.BASE_ADDRESS, CPU_SIGNATURE, CPU_FEATURES, IOAPIC_ID, IoApic.MP_TABLE_VERSION, IoApic.BASE_ADDRESS);

    final PicPair pic;
    final Uart16550 com1;
    final Uart16550 com2;
    final PciBus pci;
    final IoApic ioApic;

    /** The slot QEMU gives the first {@code -device virtio-net-pci} on the {@code pc} machine. */
    static final int VIRTIO_NET_SLOT = 3;

    private PcPlatform(PicPair pic, Uart16550 com1, Uart16550 com2, PciBus pci, IoApic ioApic) {
        this.pic = pic;
        this.com1 = com1;
        this.com2 = com2;
        this.pci = pci;
        this.ioApic = ioApic;
    }

    /** ISA IRQ {@code irq} as a device drives it: into the PIC and into the IOAPIC pin the MP table names. */
    IrqLine isaIrq(int irq) {
        return IsaIrqRouting.line(irq, pic.irq(irq), ioApic);
    }

    /**
     * Plugs a legacy virtio-net NIC into slot 3 with {@code backend} behind it, at the I/O address and
     * IRQ SeaBIOS gives it under QEMU (0xC000, IRQ 11). The caller starts the back end afterwards.
     */
    VirtioNetPci attachVirtioNet(Machine machine, NetBackend backend) {
        VirtioNetPci nic = new VirtioNetPci(backend, VirtioNetPci.DEFAULT_MAC, VirtioNetPci.DEFAULT_IO_BASE,
                machine.events()::post);
        pci.plug(VIRTIO_NET_SLOT, 0, nic);
        machine.addDevice(new PciFunctionState(nic)); // the NIC's queues and frames waiting for the guest
        int intx = nic.configRead(0x3D, 1);
        MpTableWriter.write(machine.memory(), MP_PLATFORM, List.of(
                new MpTableWriter.PciInterrupt(VIRTIO_NET_SLOT, intx, PciBus.irqFor(VIRTIO_NET_SLOT, intx))));
        // Frames may arrive while the guest sits in HLT waiting for them.
        machine.events().registerSource();
        return nic;
    }

    /**
     * Adds the platform devices to {@code machine}.
     *
     * @param com2Backend COM2's back end, or null for no COM2 (as QEMU with one -serial)
     */
    static PcPlatform attach(Machine machine, SerialBackend com1Backend, SerialBackend com2Backend) {
        PicPair pic = new PicPair();
        machine.addDevice(pic);
        LocalApic lapic = new LocalApic(machine.clock());
        machine.addDevice(lapic);
        IoApic ioApic = new IoApic(lapic, IOAPIC_ID);
        machine.addDevice(ioApic);
        machine.cpu().interruptSource = new InterruptRouter(lapic, ioApic, pic);
        machine.cpu().localApicPresent = true;
        MpTableWriter.write(machine.memory(), MP_PLATFORM, List.of());
        IntFunction<IrqLine> isaIrq = irq -> IsaIrqRouting.line(irq, pic.irq(irq), ioApic);
        machine.addDevice(new Pit8254(machine.clock(), isaIrq.apply(0)));
        machine.addDevice(new I8042Controller(isaIrq.apply(1), machine::requestReset));
        machine.addDevice(new SystemControlPortA(machine::requestReset));
        long epoch = machine.config().clockMode() == ClockMode.ICOUNT
                ? ICOUNT_EPOCH_SECONDS : System.currentTimeMillis() / 1000;
        machine.addDevice(new Mc146818Rtc(machine.clock(), isaIrq.apply(8), machine.config().ramBytes(), epoch));
        Uart16550 com1 = new Uart16550("serial0", Uart16550.COM1_PORT, com1Backend, isaIrq.apply(Uart16550.COM1_IRQ),
                machine.clock());
        machine.addDevice(com1);
        com1.connectInput(machine.events());
        Uart16550 com2 = null;
        if (com2Backend != null) {
            com2 = new Uart16550("serial1", Uart16550.COM2_PORT, com2Backend, isaIrq.apply(Uart16550.COM2_IRQ),
                    machine.clock());
            machine.addDevice(com2);
            com2.connectInput(machine.events());
        }
        machine.addDevice(IsaDebugExit.standard());
        PciBus pci = new PciBus(isaIrq);
        machine.addDevice(pci);
        return new PcPlatform(pic, com1, com2, pci, ioApic);
    }
}
