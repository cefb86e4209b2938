package dev.twinstep.core.state;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A whole snapshot stream, verified: the header (magic, format version, the fingerprint of the
 * machine configuration) and the sections, in stream order, whose payloads are read from the
 * stream's source when they are opened.
 *
 * <p>Layout, all integers big-endian: magic "TWSTSNAP", int format version, string fingerprint; then
 * per section the byte 'S', string name, int version, payload length, payload; then the end mark:
 * byte 'E' and int section count; last, the CRC32C of every byte before it. Strings are an int
 * length and UTF-8 bytes. The payload length is a long from format version 2 on (an int in version
 * 1, which is still read), so that the RAM of a 2 GiB guest fits in one section.
 *
 * <p>Writing streams through one 64 KiB chunk: small sections are collected first (their length
 * comes before them), {@link StreamedSection}s (RAM) announce their length and write straight into
 * the stream. Reading verifies the whole stream (CRC32C, framing, RAM page lists) in one pass before
 * anything can be applied, and reads each section again from the source when it is applied: a file
 * is read twice in place, any other input stream is staged in chunks first.
 */
public final class Snapshot {
    /** The first eight bytes of every snapshot. */
    public static final byte[] MAGIC = "TWSTSNAP".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and the highest it reads. */
    public static final int FORMAT_VERSION = 2;
    private static final int FIRST_VERSION_WITH_LONG_LENGTHS = 2;
    private static final int SECTION_MARK = 'S';
    private static final int END_MARK = 'E';
    private static final int CRC_BYTES = 4;
    private static final int MINIMUM_LENGTH = MAGIC.length + 4 + 4 + 5 + CRC_BYTES;

    /** One section as stored: its payload is {@code length} bytes of the stream from {@code offset}. */
    public record Section(String name, int version, long offset, long length) {
    }

    private final SnapshotSource source;
    private final int formatVersion;
    private final String fingerprint;
    private final List<Section> sections;

    private Snapshot(SnapshotSource source, int formatVersion, String fingerprint, List<Section> sections) {
        this.source = source;
        this.formatVersion = formatVersion;
        this.fingerprint = fingerprint;
        this.sections = sections;
    }

    /** The format version the stream was written with. */
    public int formatVersion() {
        return formatVersion;
    }

    /** The configuration fingerprint of the machine that wrote the stream. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The sections in stream order. */
    public List<Section> sections() {
        return sections;
    }

    /** The total stream size in bytes. */
    public long sizeBytes() {
        return source.size();
    }

    /** A reader over one section's payload (read from the stream's source, a file for {@link #read(FileChannel)}). */
    public SectionInput open(Section section) {
        return new SectionInput(section.name(), source, section.offset(), section.length(), null);
    }

    /**
     * Writes a snapshot of {@code parts} (each saves its own section, in this order) in the current
     * format version. The output stream sees writes of 64 KiB at most.
     *
     * @throws IOException when {@code out} fails
     */
    public static void write(OutputStream out, String fingerprint, Collection<? extends Stateful> parts) throws IOException {
        SnapshotOutput stream = new SnapshotOutput(out);
        try {
            stream.putRaw(MAGIC, 0, MAGIC.length);
            stream.putInt(FORMAT_VERSION);
            stream.putString(fingerprint);
            SectionOutput payload = new SectionOutput();
            for (Stateful part : parts) {
                if (part instanceof StreamedSection) {
                    writeStreamed(stream, (StreamedSection) part);
                } else {
                    payload.clear();
                    part.save(payload);
                    putSectionHeader(stream, part, payload.size());
                    payload.copyTo(stream);
                }
            }
            stream.putByte(END_MARK);
            stream.putInt(parts.size());
            stream.finish();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void writeStreamed(SnapshotOutput stream, StreamedSection part) {
        long length = part.preparePayload();
        putSectionHeader(stream, part, length);
        long start = stream.count();
        part.save(stream);
        long written = stream.count() - start;
        if (written != length) {
            throw new IllegalStateException("section '" + part.sectionName() + "' wrote " + written
                    + " bytes after announcing " + length);
        }
    }

    private static void putSectionHeader(SnapshotOutput stream, Stateful part, long length) {
        stream.putByte(SECTION_MARK);
        stream.putString(part.sectionName());
        stream.putInt(part.sectionVersion());
        stream.putLong(length);
    }

    /**
     * Verifies a whole stream held in memory: CRC32C, magic, format version, section framing, RAM
     * page lists and end mark.
     *
     * @throws StateFormatException with a one-line reason when any of these is wrong
     */
    public static Snapshot parse(byte[] stream) {
        return verify(SnapshotSource.of(stream));
    }

    /**
     * Reads and verifies the rest of {@code in} as {@link #parse} does. A stream over a regular file
     * ({@link FileInputStream}) is read in place through its channel, as {@link #read(FileChannel)};
     * any other stream is staged in memory in chunks (about its own size, in no single array).
     *
     * @throws StateFormatException with a one-line reason when the stream is not a valid snapshot
     * @throws IOException when reading fails
     */
    public static Snapshot read(InputStream in) throws IOException {
        if (in instanceof FileInputStream && isRegularFileAfterPosition(((FileInputStream) in).getChannel())) {
            return read(((FileInputStream) in).getChannel());
        }
        try {
            return verify(SnapshotSource.staged(in));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether {@code channel} can be read by position from where it stands (a pipe cannot, and has no size). */
    private static boolean isRegularFileAfterPosition(FileChannel channel) {
        try {
            return channel.size() > channel.position();
        } catch (IOException notSeekable) {
            return false;
        }
    }

    /**
     * Verifies the snapshot in {@code channel} from its position to the end of the file, reading it
     * once, and moves the position to the end. Sections are read from the file again when they are
     * opened (applied), so it must stay open and unchanged until then; the largest buffer either pass
     * needs is 1 MiB.
     *
     * @throws StateFormatException with a one-line reason when the file is not a valid snapshot
     * @throws IOException when reading fails
     */
    public static Snapshot read(FileChannel channel) throws IOException {
        try {
            Snapshot snapshot = verify(SnapshotSource.of(channel, channel.position()));
            channel.position(channel.size());
            return snapshot;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * One pass over the whole stream that parses the framing (and checks RAM page lists) while it
     * computes the CRC32C, unless the source computed it already. A stream that does not parse is
     * reported as corrupt when its CRC32C does not match either, so a flipped bit reads as a CRC32C
     * mismatch wherever it is.
     */
    static Snapshot verify(SnapshotSource source) {
        long size = source.size();
        if (size < MINIMUM_LENGTH) {
            throw new StateFormatException("not a snapshot: truncated (" + size + " bytes)");
        }
        long body = size - CRC_BYTES;
        long knownCrc = source.bodyCrc();
        CRC32C crc = knownCrc < 0 ? new CRC32C() : null;
        SectionInput in = new SectionInput("snapshot", source, 0, body, crc);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic, 0, magic.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new StateFormatException("not a snapshot: bad magic");
        }
        Snapshot snapshot = null;
        StateFormatException malformed = null;
        try {
            snapshot = parseBody(in, source);
        } catch (StateFormatException e) {
            malformed = e;
            in.widen("snapshot", body);
            in.skipBytes(in.remainingBytes());
        }
        long computed = knownCrc;
        if (crc != null) {
            in.checksumConsumed();
            computed = crc.getValue();
        }
        int stored = new SectionInput("crc", source, body, CRC_BYTES, null).getInt();
        if (stored != (int) computed) {
            throw new StateFormatException("snapshot is truncated or corrupted (CRC32C mismatch)");
        }
        if (malformed != null) {
            throw malformed;
        }
        return snapshot;
    }

    private static Snapshot parseBody(SectionInput in, SnapshotSource source) {
        int formatVersion = in.getInt();
        if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
            throw new StateFormatException("snapshot format version " + formatVersion + " is not supported (this build reads 1.."
                    + FORMAT_VERSION + ")");
        }
        String fingerprint = in.getString();
        List<Section> sections = new ArrayList<>();
        while (true) {
            int mark = in.getByte();
            if (mark == END_MARK) {
                int count = in.getInt();
                if (count != sections.size() || in.remainingBytes() != 0) {
                    throw new StateFormatException("snapshot end mark does not match its sections");
                }
                return new Snapshot(source, formatVersion, fingerprint, List.copyOf(sections));
            }
            if (mark != SECTION_MARK) {
                throw new StateFormatException("snapshot is corrupted: bad section mark " + mark);
            }
            String name = in.getString();
            int version = in.getInt();
            long length = formatVersion >= FIRST_VERSION_WITH_LONG_LENGTHS ? in.getLong() : in.getInt();
            if (length < 0 || length > in.remainingBytes()) {
                throw new StateFormatException("snapshot section '" + name + "' is truncated");
            }
            sections.add(new Section(name, version, in.position(), length));
            long outerEnd = in.narrow(name, length);
            if (version == 1 && (name.equals(RamSection.FULL) || name.equals(RamSection.DELTA))) {
                RamSection.checkPageList(in);
            } else {
                in.skipBytes(length);
            }
            in.widen("snapshot", outerEnd);
        }
    }

    /** Refuses a snapshot taken on a machine configured otherwise than {@code expected}. */
    public void requireFingerprint(String expected) {
        if (!fingerprint.equals(expected)) {
            throw new StateFormatException("snapshot was taken on a different machine configuration: snapshot ["
                    + fingerprint + "], this machine [" + expected + "]");
        }
    }

    /**
     * Checks that this snapshot fits a machine whose configuration fingerprint is {@code expected} and
     * whose parts are {@code parts}, then loads every section into its part. Nothing is applied unless
     * all checks pass: the fingerprint, every section name known, every version supported, no part's
     * required section missing, no section twice.
     *
     * @param optional names of parts that may be absent from the stream (their state is left as is)
     * @throws StateFormatException naming what does not fit
     */
    public void applyTo(String expected, Collection<? extends Stateful> parts, Set<String> optional) {
        Map<String, Stateful> byName = check(expected, parts, optional);
        for (Section section : sections) {
            try {
                byName.get(section.name()).load(open(section), section.version());
            } catch (UncheckedIOException e) {
                throw new StateFormatException("snapshot could not be read again while it was applied, the machine is"
                        + " partly loaded: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /**
     * The checks of {@link #applyTo} without loading anything: whether this snapshot would load.
     *
     * @return the parts by section name
     * @throws StateFormatException naming what does not fit
     */
    public Map<String, Stateful> check(String expected, Collection<? extends Stateful> parts, Set<String> optional) {
        requireFingerprint(expected);
        Map<String, Stateful> byName = new LinkedHashMap<>();
        for (Stateful part : parts) {
            byName.put(part.sectionName(), part);
        }
        Set<String> seen = new HashSet<>();
        for (Section section : sections) {
            Stateful part = byName.get(section.name());
            if (part == null) {
                throw new StateFormatException("snapshot has unknown section '" + section.name() + "'");
            }
            if (section.version() < 1 || section.version() > part.sectionVersion()) {
                throw new StateFormatException("snapshot section '" + section.name() + "' has version " + section.version()
                        + ", this build supports 1.." + part.sectionVersion());
            }
            if (!seen.add(section.name())) {
                throw new StateFormatException("snapshot has section '" + section.name() + "' twice");
            }
        }
        for (String name : byName.keySet()) {
            if (!seen.contains(name) && !optional.contains(name)) {
                throw new StateFormatException("snapshot lacks section '" + name + "'");
            }
        }
        return byName;
    }
}
