package dev.twinstep.devices.state;

import dev.twinstep.core.state.SectionInput;
import dev.twinstep.core.state.SectionOutput;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.Stateful;

/** Saves and loads one device's section through the snapshot stream's own section writer and reader. */
public final class MemoryState {
    private MemoryState() {
    }

    /** Saves {@code device}'s section into a byte array. */
    public static byte[] save(Stateful device) {
        SectionOutput out = new SectionOutput();
        device.save(out);
        return out.toByteArray();
    }

    /** A reader over {@code section}, as the snapshot code hands it to a device. */
    public static StateReader reader(String name, byte[] section) {
        return new SectionInput(name, section, 0, section.length);
    }

    /** Loads {@code section} into {@code device} at its current version and checks every byte was read. */
    public static void load(Stateful device, byte[] section) {
        StateReader in = reader(device.sectionName(), section);
        device.load(in, device.sectionVersion());
        if (in.remaining() != 0) {
            throw new AssertionError(device.sectionName() + " left " + in.remaining() + " bytes unread");
        }
    }
}
