package dev.twinstep.devices.pci;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;

/**
 * Puts a PCI function's own section (a virtio NIC's queues...) among the machine's devices, which is
 * where snapshots collect stateful parts: a function is plugged into the {@link PciBus}, not added
 * to the machine. It does nothing else: the bus attaches and resets the function.
 */
public final class PciFunctionState implements MachineDevice, Stateful {
    private final Stateful function;

    /** {@code function} must be plugged into a bus that is itself added to the machine. */
    public <F extends PciFunction & Stateful> PciFunctionState(F function) {
        this.function = function;
    }

    @Override
    public String name() {
        return function.sectionName();
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        // The bus attached the function when it was plugged or when the bus was attached.
    }

    @Override
    public String sectionName() {
        return function.sectionName();
    }

    @Override
    public int sectionVersion() {
        return function.sectionVersion();
    }

    @Override
    public void save(StateWriter out) {
        function.save(out);
    }

    @Override
    public void load(StateReader in, int version) {
        function.load(in, version);
    }
}
