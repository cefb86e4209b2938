package dev.twinstep.tools;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.devices.debugexit.IsaDebugExit;
import dev.twinstep.devices.i8042.I8042Controller;
import dev.twinstep.devices.i8042.SystemControlPortA;
import dev.twinstep.devices.pic.PicPair;
import dev.twinstep.devices.pit.Pit8254;
import dev.twinstep.devices.rtc.Mc146818Rtc;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.serial.Uart16550;

/**
 * Wires the PC platform onto a {@link Machine}: the PIC pair as the CPU's interrupt source, the PIT
 * on IRQ 0, the i8042 on IRQ 1 and port 0x92, the RTC on IRQ 8, COM1 (IRQ 4) and optionally COM2
 * (IRQ 3), and isa-debug-exit. A reset request from the i8042 or port 0x92 ends the run with
 * {@code RESET} (rebooting the kernel is not done yet).
 */
final class PcPlatform {
    /** The RTC's wall-clock time at power-on in icount mode: 2026-01-01T00:00:00Z, so runs repeat. */
    static final long ICOUNT_EPOCH_SECONDS = 1_767_225_600L;

    final PicPair pic;
    final Uart16550 com1;
    final Uart16550 com2;

    private PcPlatform(PicPair pic, Uart16550 com1, Uart16550 com2) {
        this.pic = pic;
        this.com1 = com1;
        this.com2 = com2;
    }

    /**
     * Adds the platform devices to {@code machine}.
     *
     * @param com2Backend COM2's back end, or null for no COM2 (as QEMU with one -serial)
     */
    static PcPlatform attach(Machine machine, SerialBackend com1Backend, SerialBackend com2Backend) {
        PicPair pic = new PicPair();
        machine.addDevice(pic);
        machine.cpu().interruptSource = pic;
        machine.addDevice(new Pit8254(machine.clock(), pic.irq(0)));
        machine.addDevice(new I8042Controller(pic.irq(1), machine::requestReset));
        machine.addDevice(new SystemControlPortA(machine::requestReset));
        long epoch = machine.config().clockMode() == ClockMode.ICOUNT
                ? ICOUNT_EPOCH_SECONDS : System.currentTimeMillis() / 1000;
        machine.addDevice(new Mc146818Rtc(machine.clock(), pic.irq(8), machine.config().ramBytes(), epoch));
        Uart16550 com1 = new Uart16550("serial0", Uart16550.COM1_PORT, com1Backend, pic.irq(Uart16550.COM1_IRQ),
                machine.clock());
        machine.addDevice(com1);
        com1.connectInput(machine.events());
        Uart16550 com2 = null;
        if (com2Backend != null) {
            com2 = new Uart16550("serial1", Uart16550.COM2_PORT, com2Backend, pic.irq(Uart16550.COM2_IRQ),
                    machine.clock());
            machine.addDevice(com2);
            com2.connectInput(machine.events());
        }
        machine.addDevice(IsaDebugExit.standard());
        return new PcPlatform(pic, com1, com2);
    }
}
