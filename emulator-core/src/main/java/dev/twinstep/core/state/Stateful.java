package dev.twinstep.core.state;

/**
 * A part of the machine (the CPU, a device, the clock, a disk's dirty log) that saves and loads its
 * own named, versioned section of a snapshot or checkpoint stream, in the manner of QEMU's VMState.
 *
 * <p>Rules: a section holds only its owner's state (host resources such as files and sockets are
 * never saved; they are passed in when the machine is built); {@link #load} restores only this part
 * and never calls into another one; a newer version appends fields, and {@link #load} of an older
 * version gives the new fields their defaults. The framework refuses a version above
 * {@link #sectionVersion()} by name before anything is applied.
 */
public interface Stateful {
    /** A stable, unique name: "cpu", "pic", "pit", "rtc", "com1", "ata.primary", "virtio-net.0"... */
    String sectionName();

    /** The version {@link #save} writes. */
    int sectionVersion();

    void save(StateWriter out);

    /**
     * Loads a section written at {@code version} (1..{@link #sectionVersion()}).
     *
     * @throws StateFormatException if a value is out of range for this part
     */
    void load(StateReader in, int version);
}
