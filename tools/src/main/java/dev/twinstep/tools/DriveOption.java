package dev.twinstep.tools;

import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.devices.storage.AtaChannel;
import dev.twinstep.devices.storage.DiskImage;
import dev.twinstep.devices.storage.RawDiskImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One {@code --drive} option, spelled as QEMU's {@code -drive}:
 * {@code file=PATH[,format=raw][,if=ide][,index=0|1][,readonly=on|off][,media=disk]}. Index 0 is the
 * primary IDE master, 1 the primary slave; without {@code index} a drive takes the first free one, as
 * in QEMU. {@code format} defaults to raw and {@code if} to ide, the only values supported. A comma
 * inside a value is written twice ({@code file=a,,b.img}), as QEMU escapes it. Parsing checks only the
 * form; the image is opened by {@link #openPrimaryChannel(List, IrqLine)} once the other inputs are
 * known to be good.
 *
 * <p>Wiring into {@code RunCommand} (owned elsewhere):
 * <pre>{@code
 * @Option(names = "--drive", paramLabel = "file=PATH,format=raw,if=ide,index=0|1[,readonly=on]",
 *         converter = DriveOption.Converter.class,
 *         description = "A raw disk image on the primary IDE channel, as QEMU's -drive; repeatable.")
 * List<DriveOption> drives = new ArrayList<>();
 *
 * // in call(), after newMachine() and before the run; the channel owns and closes the images:
 * AtaChannel ide = DriveOption.openPrimaryChannel(drives, pic.irq(AtaChannel.PRIMARY_IRQ)); // PicPair; or IrqLine.NONE
 * try {
 *     machine.addDevice(ide);   // always, even with no drive: the ports then read 0, as on QEMU's PC
 *     ...run...
 * } finally {
 *     ide.close();              // forces written data to stable storage and releases the files
 * }
 * }</pre>
 */
public record DriveOption(Path file, int index, boolean readOnly) {
    /** {@code index} when the option did not give one. */
    public static final int NEXT_FREE_INDEX = -1;

    private static final String FORM = "file=PATH,format=raw,if=ide,index=0|1[,readonly=on]";
    private static final String[] POSITION_NAMES = {"primary master", "primary slave"};

    /**
     * Opens every drive's image and builds the primary channel with them, giving drives without an
     * index the first free one. On any failure the images already opened are closed again.
     *
     * @throws UsageException for two drives at one index, more than two drives, or an image that
     *     cannot be opened (missing, not a file, no permission, in use, too large)
     */
    public static AtaChannel openPrimaryChannel(List<DriveOption> drives, IrqLine irq) throws UsageException {
        DriveOption[] byIndex = placeByIndex(drives);
        DiskImage[] images = new DiskImage[byIndex.length];
        try {
            for (int i = 0; i < byIndex.length; i++) {
                if (byIndex[i] != null) {
                    images[i] = byIndex[i].open();
                }
            }
        } catch (UsageException e) {
            closeQuietly(images);
            throw e;
        }
        return new AtaChannel(images[0], images[1], irq);
    }

    static DriveOption[] placeByIndex(List<DriveOption> drives) throws UsageException {
        DriveOption[] byIndex = new DriveOption[POSITION_NAMES.length];
        List<DriveOption> unplaced = new ArrayList<>();
        for (DriveOption drive : drives) {
            if (drive.index == NEXT_FREE_INDEX) {
                unplaced.add(drive);
            } else if (byIndex[drive.index] != null) {
                throw new UsageException("two --drive options for index=" + drive.index + " ("
                        + POSITION_NAMES[drive.index] + "): '" + byIndex[drive.index].file + "' and '" + drive.file + "'");
            } else {
                byIndex[drive.index] = drive;
            }
        }
        for (DriveOption drive : unplaced) {
            int free = 0;
            while (free < byIndex.length && byIndex[free] != null) {
                free++;
            }
            if (free == byIndex.length) {
                throw new UsageException("too many --drive options: the primary IDE channel holds two drives ('"
                        + drive.file + "' has no place)");
            }
            byIndex[free] = new DriveOption(drive.file, free, drive.readOnly);
        }
        return byIndex;
    }

    /** Opens the image, turning every failure into a one-line message for the user. */
    RawDiskImage open() throws UsageException {
        if (!Files.exists(file)) {
            throw new UsageException("disk image '" + file + "' does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("disk image '" + file + "' is not a regular file");
        }
        try {
            return RawDiskImage.open(file, readOnly);
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot open disk image '" + file + "': "
                    + (readOnly ? "permission denied" : "permission denied (add readonly=on to use it read-only)"));
        } catch (IOException | SecurityException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UsageException(message.startsWith("disk image") ? message
                    : "cannot open disk image '" + file + "': " + message);
        }
    }

    private static void closeQuietly(DiskImage[] images) {
        for (DiskImage image : images) {
            if (image != null) {
                try {
                    image.close();
                } catch (IOException ignored) {
                    // Already failing with a better message; this image was only opened, never written.
                }
            }
        }
    }

    /** picocli converter for the option value. */
    public static final class Converter implements ITypeConverter<DriveOption> {
        @Override
        public DriveOption convert(String value) {
            return parse(value);
        }
    }

    /** Parses one option value; bad input throws {@link TypeConversionException} with a one-line reason. */
    static DriveOption parse(String value) {
        String file = null;
        int index = NEXT_FREE_INDEX;
        boolean readOnly = false;
        List<String> seen = new ArrayList<>();
        for (String property : splitProperties(value)) {
            int equals = property.indexOf('=');
            if (equals <= 0) {
                throw new TypeConversionException("'" + property + "' is not key=value (use " + FORM + ")");
            }
            String key = property.substring(0, equals);
            String val = property.substring(equals + 1);
            if (seen.contains(key)) {
                throw new TypeConversionException("'" + key + "' is given twice");
            }
            seen.add(key);
            switch (key) {
                case "file":
                    if (val.isEmpty()) {
                        throw new TypeConversionException("file= is empty (use " + FORM + ")");
                    }
                    file = val;
                    break;
                case "format":
                    if (!val.equals("raw")) {
                        throw new TypeConversionException("format '" + val + "' is not supported: only format=raw");
                    }
                    break;
                case "if":
                    if (!val.equals("ide")) {
                        throw new TypeConversionException("if=" + val + " is not supported: only if=ide (the primary IDE channel)");
                    }
                    break;
                case "media":
                    if (!val.equals("disk")) {
                        throw new TypeConversionException("media=" + val + " is not supported: only media=disk");
                    }
                    break;
                case "index":
                    index = parseIndex(val);
                    break;
                case "readonly":
                    readOnly = parseBoolean(key, val);
                    break;
                default:
                    throw new TypeConversionException("unknown property '" + key
                            + "' (known: file, format, if, index, readonly, media)");
            }
        }
        if (file == null) {
            throw new TypeConversionException("'" + value + "' names no image: file=PATH is required (use " + FORM + ")");
        }
        return new DriveOption(Path.of(file), index, readOnly);
    }

    private static int parseIndex(String value) {
        if (value.equals("0") || value.equals("1")) {
            return value.charAt(0) - '0';
        }
        throw new TypeConversionException("index=" + value
                + " is out of range: 0 (primary master) or 1 (primary slave)");
    }

    private static boolean parseBoolean(String key, String value) {
        switch (value) {
            case "on": case "yes": case "true":
                return true;
            case "off": case "no": case "false":
                return false;
            default:
                throw new TypeConversionException(key + "=" + value + " is not on or off");
        }
    }

    /** Splits at single commas; a doubled comma is a literal comma, as in QEMU's option syntax. */
    private static List<String> splitProperties(String value) {
        List<String> properties = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ',') {
                current.append(c);
            } else if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                current.append(',');
                i++;
            } else {
                properties.add(current.toString());
                current.setLength(0);
            }
        }
        properties.add(current.toString());
        return properties;
    }
}
