package dev.twinstep.devices.storage;

import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.devices.state.StateChecks;

/**
 * Encodes the parts of an ATA channel's section that are not the channel's own fields: the task
 * file, each drive's registers and settings, and each image's dirty-sector log. Kept apart from
 * {@link AtaChannel} so the channel stays about the protocol.
 */
final class AtaStateCodec {
    static final String SECTION = "ata.primary";

    private AtaStateCodec() {
    }

    static void saveTaskFile(StateWriter out, AtaTaskFile taskFile) {
        out.putByte(taskFile.features);
        out.putByte(taskFile.sectorCount);
        out.putByte(taskFile.lbaLow);
        out.putByte(taskFile.lbaMid);
        out.putByte(taskFile.lbaHigh);
        out.putByte(taskFile.hobFeatures);
        out.putByte(taskFile.hobSectorCount);
        out.putByte(taskFile.hobLbaLow);
        out.putByte(taskFile.hobLbaMid);
        out.putByte(taskFile.hobLbaHigh);
        out.putByte(taskFile.device);
    }

    static void loadTaskFile(StateReader in, AtaTaskFile taskFile) {
        taskFile.features = in.getByte();
        taskFile.sectorCount = in.getByte();
        taskFile.lbaLow = in.getByte();
        taskFile.lbaMid = in.getByte();
        taskFile.lbaHigh = in.getByte();
        taskFile.hobFeatures = in.getByte();
        taskFile.hobSectorCount = in.getByte();
        taskFile.hobLbaLow = in.getByte();
        taskFile.hobLbaMid = in.getByte();
        taskFile.hobLbaHigh = in.getByte();
        taskFile.device = in.getByte();
    }

    /**
     * Writes whether the drive is present and, if so, its size (checked on load), registers,
     * settings and dirty-sector log. The log is read without clearing it: a snapshot must not steal
     * the sectors the next checkpoint has to send.
     */
    static void saveDrive(StateWriter out, AtaDrive drive) {
        out.putBoolean(drive != null);
        if (drive == null) {
            return;
        }
        out.putLong(drive.sectorCount());
        out.putByte(drive.status);
        out.putByte(drive.error);
        out.putInt(drive.multipleSectors);
        out.putBoolean(drive.writeCacheEnabled);
        out.putInt(drive.heads);
        out.putInt(drive.sectorsPerTrack);
        out.putLongs(drive.image.dirtyLog().words());
    }

    /** Reads what {@link #saveDrive} wrote into {@code drive}, refusing a different disk layout. */
    static void loadDrive(StateReader in, AtaDrive drive, int index) {
        boolean present = in.getBoolean();
        if (present != (drive != null)) {
            throw new StateFormatException(SECTION + ": drive " + index + (present ? " is in the snapshot but not here"
                    : " is here but not in the snapshot"));
        }
        if (drive == null) {
            return;
        }
        long sectors = in.getLong();
        if (sectors != drive.sectorCount()) {
            throw new StateFormatException(SECTION + ": drive " + index + " had " + sectors + " sectors, its image here has "
                    + drive.sectorCount());
        }
        int status = StateChecks.bits(SECTION, "status", in.getByte(), 8);
        int error = StateChecks.bits(SECTION, "error", in.getByte(), 8);
        int multiple = StateChecks.inRange(SECTION, "sectors per block", in.getInt(), 0,
                AtaProtocol.MAX_MULTIPLE_SECTORS);
        boolean writeCache = in.getBoolean();
        int heads = StateChecks.inRange(SECTION, "heads", in.getInt(), 1, 16);
        int sectorsPerTrack = StateChecks.inRange(SECTION, "sectors per track", in.getInt(), 0, 255);
        long[] dirty = in.getLongs();
        SectorDirtyLog log = drive.image.dirtyLog();
        try {
            log.replaceWith(dirty);
        } catch (IllegalArgumentException e) {
            throw new StateFormatException(SECTION + ": drive " + index + " dirty-sector log: " + e.getMessage(), e);
        }
        drive.status = status;
        drive.error = error;
        drive.multipleSectors = multiple;
        drive.writeCacheEnabled = writeCache;
        drive.heads = heads;
        drive.sectorsPerTrack = sectorsPerTrack;
    }
}
