package dev.twinstep.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.memory.DirtyLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots written and read as streams: through files in place, staged streams, and crafted ones. */
class SnapshotStreamingTest {
    private static final long RAM = 4L * 1024 * 1024;
    private static final int RAM_PAGE_HEADER = 8 + 8 + 4;
    private static final int PAGE_RECORD = 4 + 4 + 4096;

    @TempDir
    Path directory;

    private static Machine icountMachine(long ram) {
        return new Machine(MachineConfig.withRam(ram).withClock(ClockMode.ICOUNT));
    }

    /** A machine whose every RAM page holds different non-zero bytes, and a few distinct registers. */
    private static Machine filledMachine() {
        Machine machine = icountMachine(RAM);
        long x = 0x9E3779B97F4A7C15L;
        for (int offset = 0; offset < RAM; offset += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            machine.memory().ram().putLong(offset, x);
        }
        machine.cpu().regs[Cpu.EAX] = 0xA1;
        machine.cpu().eip = 0x4000;
        machine.cpu().instructionCount = 5_000;
        return machine;
    }

    private static byte[] save(Machine machine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.saveSnapshot(out, false);
        return out.toByteArray();
    }

    private static byte[] ram(Machine machine) {
        byte[] bytes = new byte[(int) machine.memory().ramSize()];
        machine.memory().ram().getBytes(0, bytes);
        return bytes;
    }

    /** Rewrites the trailing CRC32C so that a crafted change passes the checksum. */
    private static void recomputeCrc(byte[] stream) {
        CRC32C crc = new CRC32C();
        crc.update(stream, 0, stream.length - 4);
        int sum = (int) crc.getValue();
        int at = stream.length - 4;
        stream[at] = (byte) (sum >>> 24);
        stream[at + 1] = (byte) (sum >>> 16);
        stream[at + 2] = (byte) (sum >>> 8);
        stream[at + 3] = (byte) sum;
    }

    private static int firstPageNumberOffset(byte[] stream) {
        Snapshot.Section ram = Snapshot.parse(stream).sections().stream()
                .filter(s -> s.name().equals(RamSection.FULL)).findFirst().orElseThrow();
        return (int) ram.offset() + RAM_PAGE_HEADER;
    }

    private static void putInt(byte[] stream, int at, int value) {
        stream[at] = (byte) (value >>> 24);
        stream[at + 1] = (byte) (value >>> 16);
        stream[at + 2] = (byte) (value >>> 8);
        stream[at + 3] = (byte) value;
    }

    @Test
    void shouldRestoreAFileInPlaceToTheSameMachineAsTheStreamInMemory() throws IOException {
        Machine source = filledMachine();
        Path file = directory.resolve("full.snap");
        source.saveSnapshot(file);
        Machine fromFile = icountMachine(RAM);
        Machine fromStream = icountMachine(RAM);

        fromFile.loadSnapshot(file);
        fromStream.loadSnapshot(new ByteArrayInputStream(Files.readAllBytes(file)));

        assertArrayEquals(ram(source), ram(fromFile));
        assertArrayEquals(ram(source), ram(fromStream));
        assertEquals(0xA1, fromFile.cpu().regs[Cpu.EAX]);
        assertEquals(0x4000, fromStream.cpu().eip);
    }

    @Test
    void shouldRefuseAFileWithOneFlippedByteNearItsEndAndApplyNothing() throws IOException {
        Path file = directory.resolve("corrupt.snap");
        filledMachine().saveSnapshot(file);
        byte[] stream = Files.readAllBytes(file);
        stream[stream.length - 100] ^= 0x01;
        Files.write(file, stream);
        Machine target = icountMachine(RAM);

        StateFormatException e = assertThrows(StateFormatException.class, () -> target.loadSnapshot(file));

        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
        assertEquals(0, target.cpu().instructionCount);
        assertEquals(0, target.memory().ram().getLong(0));
    }

    @Test
    void shouldRefuseATruncatedFileAndApplyNothing() throws IOException {
        Path file = directory.resolve("cut.snap");
        filledMachine().saveSnapshot(file);
        byte[] stream = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(stream, stream.length - 4096));
        Machine target = icountMachine(RAM);
        int eipBefore = target.cpu().eip;

        assertThrows(StateFormatException.class, () -> target.loadSnapshot(file));

        assertEquals(eipBefore, target.cpu().eip);
        assertEquals(0, target.memory().ram().getLong(0));
    }

    @Test
    void shouldRefuseAPageOutsideRamBeforeApplyingAnythingEvenWithAValidCrc() throws IOException {
        byte[] stream = save(filledMachine());
        int second = firstPageNumberOffset(stream) + PAGE_RECORD;
        putInt(stream, second, 0x7FFF_FFF0);
        recomputeCrc(stream);
        Machine target = icountMachine(RAM);

        StateFormatException e = assertThrows(StateFormatException.class,
                () -> target.loadSnapshot(new ByteArrayInputStream(stream)));

        assertTrue(e.getMessage().contains("outside RAM"), e.getMessage());
        assertEquals(0, target.cpu().instructionCount, "the CPU section before RAM must not have been applied");
        assertEquals(0, target.memory().ram().getLong(0), "the first page must not have been applied");
    }

    @Test
    void shouldRefuseAPageListOutOfOrderBeforeApplyingAnything() throws IOException {
        byte[] stream = save(filledMachine());
        int second = firstPageNumberOffset(stream) + PAGE_RECORD;
        putInt(stream, second, 0);
        recomputeCrc(stream);
        Machine target = icountMachine(RAM);

        StateFormatException e = assertThrows(StateFormatException.class,
                () -> target.loadSnapshot(new ByteArrayInputStream(stream)));

        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
        assertEquals(0, target.memory().ram().getLong(0));
    }

    @Test
    void shouldSaveAPageWhoseOnlyNonZeroByteIsItsLastAndSkipAllZeroPages() throws IOException {
        Machine source = icountMachine(RAM);
        source.memory().write8(0x201FFF, 0x5A);
        source.memory().write8(0x300000, 0);

        Snapshot snapshot = Snapshot.parse(save(source));
        Machine target = icountMachine(RAM);
        target.loadSnapshot(new ByteArrayInputStream(save(source)));

        Snapshot.Section ram = snapshot.sections().stream().filter(s -> s.name().equals(RamSection.FULL)).findFirst()
                .orElseThrow();
        assertEquals(RAM_PAGE_HEADER + PAGE_RECORD + 4, ram.length(), "one page saved of the whole RAM");
        assertEquals(0x5A, target.memory().read8(0x201FFF));
    }

    @Test
    void shouldZeroAndMarkOnlyThePagesAFullImageChangesByLeavingThemOut() throws IOException {
        Machine source = icountMachine(RAM);
        source.memory().write32(0x100000, 0x11223344);
        byte[] stream = save(source);
        Machine target = icountMachine(RAM);
        target.memory().write32(0x300000, 0xBAD);
        DirtyLog log = target.memory().dirtyLog();
        log.takeAndClear(DirtyLog.Client.REPLICATION);
        log.takeAndClear(DirtyLog.Client.CODE);

        target.loadSnapshot(new ByteArrayInputStream(stream));

        assertEquals(0, target.memory().read32(0x300000));
        assertEquals(0x11223344, target.memory().read32(0x100000));
        assertTrue(log.isDirty(DirtyLog.Client.CODE, 0x300), "a page zeroed by the load must drop its decoded blocks");
        assertTrue(log.isDirty(DirtyLog.Client.REPLICATION, 0x300));
        assertTrue(log.isDirty(DirtyLog.Client.REPLICATION, 0x100));
        assertFalse(log.isDirty(DirtyLog.Client.REPLICATION, 0x2FF), "a page that stayed zero did not change");
    }

    @Test
    void shouldHandTheOutputStreamNoWriteLargerThan64KiB() throws IOException {
        Machine source = filledMachine();
        int[] largest = {0};
        long[] total = {0};
        OutputStream recorder = new OutputStream() {
            @Override
            public void write(int b) {
                total[0]++;
                largest[0] = Math.max(largest[0], 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                total[0] += length;
                largest[0] = Math.max(largest[0], length);
            }
        };

        source.saveSnapshot(recorder, false);

        assertTrue(total[0] > RAM, "the whole RAM was written, " + total[0] + " bytes");
        assertEquals(SnapshotOutput.CHUNK, largest[0]);
    }

    @Test
    void shouldRestoreThroughAStreamThatIsNotAFile() throws IOException {
        Machine source = filledMachine();
        byte[] stream = save(source);
        Machine target = icountMachine(RAM);
        InputStream trickle = new InputStream() {
            private final ByteArrayInputStream in = new ByteArrayInputStream(stream);

            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] into, int offset, int length) {
                return in.read(into, offset, Math.min(length, 1000));
            }
        };

        target.loadSnapshot(trickle);

        assertArrayEquals(ram(source), ram(target));
    }

    @Test
    void shouldLoadAVersion1SnapshotWrittenByTheFirstFormat() throws IOException {
        Machine expected = version1FixtureMachine();
        Machine target = icountMachine(2L * 1024 * 1024);
        byte[] fixture;
        try (InputStream in = SnapshotStreamingTest.class.getResourceAsStream("format-v1.snap")) {
            fixture = in.readAllBytes();
        }

        target.loadSnapshot(new ByteArrayInputStream(fixture));

        assertEquals(1, Snapshot.parse(fixture).formatVersion());
        assertArrayEquals(expected.cpu().regs, target.cpu().regs);
        assertEquals(0x7C00, target.cpu().eip);
        assertEquals(0x9000, target.cpu().cr3);
        assertEquals(987_654L, target.cpu().instructionCount);
        assertEquals(expected.clock().nowNanos(), target.clock().nowNanos());
        assertArrayEquals(ram(expected), ram(target));
    }

    @Test
    void shouldWriteTheCurrentFormatVersionWithEightByteSectionLengths() throws IOException {
        byte[] stream = save(icountMachine(RAM));
        Snapshot snapshot = Snapshot.parse(stream);
        Snapshot.Section first = snapshot.sections().get(0);
        int lengthField = (int) first.offset() - 8;

        assertEquals(2, Snapshot.FORMAT_VERSION);
        assertEquals(Snapshot.FORMAT_VERSION, snapshot.formatVersion());
        assertEquals(first.length(), new SectionInput("length", stream, lengthField, 8).getLong());
    }

    /**
     * The machine that format-v1.snap was saved from, with the snapshot code of format version 1
     * (commit 0decb33): rebuilt here so the restored machine can be compared with it field by field.
     */
    private static Machine version1FixtureMachine() {
        Machine machine = icountMachine(2L * 1024 * 1024);
        Cpu cpu = machine.cpu();
        for (int r = 0; r < 8; r++) {
            cpu.regs[r] = 0x01010101 * (r + 1);
        }
        cpu.eip = 0x7C00;
        cpu.cr0 = Cpu.CR0_PE | Cpu.CR0_ET;
        cpu.cr3 = 0x9000;
        cpu.instructionCount = 987_654L;
        machine.clock().skipTo(machine.clock().nowNanos() + 4242);
        for (int address = 0x10000; address < 0x10000 + 2 * 4096; address += 4) {
            machine.memory().write32(address, address * 0x9E3779B1);
        }
        machine.memory().write32(0x1FF000, 0xC0FFEE);
        return machine;
    }
}
