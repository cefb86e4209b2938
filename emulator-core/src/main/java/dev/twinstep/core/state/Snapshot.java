package dev.twinstep.core.state;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A whole snapshot stream, parsed and verified: the header (magic, format version, the fingerprint of
 * the machine configuration) and the sections, in stream order.
 *
 * <p>Layout, all integers big-endian: magic "TWSTSNAP", int format version, string fingerprint; then
 * per section the byte 'S', string name, int version, int length, payload; then the end mark: byte
 * 'E' and int section count; last, the CRC32C of every byte before it. Strings are an int length and
 * UTF-8 bytes. Plain byte arrays carry it (Chronicle Bytes was not adopted: a snapshot is written once
 * per pause, so a simple buffer suffices).
 */
public final class Snapshot {
    /** The first eight bytes of every snapshot. */
    public static final byte[] MAGIC = "TWSTSNAP".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and the highest it reads. */
    public static final int FORMAT_VERSION = 1;
    private static final int SECTION_MARK = 'S';
    private static final int END_MARK = 'E';

    /** One section as stored: its payload is {@code length} bytes of {@link #stream} from {@code offset}. */
    public record Section(String name, int version, int offset, int length) {
    }

    private final byte[] stream;
    private final int formatVersion;
    private final String fingerprint;
    private final List<Section> sections;

    private Snapshot(byte[] stream, int formatVersion, String fingerprint, List<Section> sections) {
        this.stream = stream;
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
    public int sizeBytes() {
        return stream.length;
    }

    /** A reader over one section's payload. */
    public SectionInput open(Section section) {
        return new SectionInput(section.name(), stream, section.offset(), section.length());
    }

    /**
     * Writes a snapshot of {@code parts} (each saves its own section, in this order).
     *
     * @throws IOException when {@code out} fails
     */
    public static void write(OutputStream out, String fingerprint, Collection<? extends Stateful> parts) throws IOException {
        CRC32C crc = new CRC32C();
        SectionOutput header = new SectionOutput();
        for (byte b : MAGIC) {
            header.putByte(b);
        }
        header.putInt(FORMAT_VERSION);
        header.putString(fingerprint);
        emit(out, crc, header.toByteArray());
        SectionOutput payload = new SectionOutput();
        for (Stateful part : parts) {
            payload.clear();
            part.save(payload);
            SectionOutput sectionHeader = new SectionOutput();
            sectionHeader.putByte(SECTION_MARK);
            sectionHeader.putString(part.sectionName());
            sectionHeader.putInt(part.sectionVersion());
            sectionHeader.putInt(payload.size());
            sectionHeader.writeTo(out, crc);
            payload.writeTo(out, crc);
        }
        SectionOutput end = new SectionOutput();
        end.putByte(END_MARK);
        end.putInt(parts.size());
        emit(out, crc, end.toByteArray());
        int sum = (int) crc.getValue();
        out.write(new byte[] {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
        out.flush();
    }

    private static void emit(OutputStream out, CRC32C crc, byte[] bytes) throws IOException {
        crc.update(bytes, 0, bytes.length);
        out.write(bytes);
    }

    /**
     * Parses and verifies a whole stream: CRC32C, magic, format version, section framing and end mark.
     *
     * @throws StateFormatException with a one-line reason when any of these is wrong
     */
    public static Snapshot parse(byte[] stream) {
        int minimum = MAGIC.length + 4 + 4 + 5 + 4;
        if (stream.length < minimum) {
            throw new StateFormatException("not a snapshot: truncated (" + stream.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (stream[i] != MAGIC[i]) {
                throw new StateFormatException("not a snapshot: bad magic");
            }
        }
        int body = stream.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(stream, 0, body);
        SectionInput trailer = new SectionInput("crc", stream, body, 4);
        if (trailer.getInt() != (int) crc.getValue()) {
            throw new StateFormatException("snapshot is truncated or corrupted (CRC32C mismatch)");
        }
        SectionInput in = new SectionInput("header", stream, MAGIC.length, body - MAGIC.length);
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
                if (count != sections.size() || in.remaining() != 0) {
                    throw new StateFormatException("snapshot end mark does not match its sections");
                }
                break;
            }
            if (mark != SECTION_MARK) {
                throw new StateFormatException("snapshot is corrupted: bad section mark " + mark);
            }
            String name = in.getString();
            int version = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new StateFormatException("snapshot section '" + name + "' is truncated");
            }
            int offset = body - in.remaining();
            sections.add(new Section(name, version, offset, length));
            skip(in, length);
        }
        return new Snapshot(stream, formatVersion, fingerprint, List.copyOf(sections));
    }

    private static void skip(SectionInput in, int length) {
        in.skipBytes(length);
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
            byName.get(section.name()).load(open(section), section.version());
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
