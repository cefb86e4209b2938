package dev.twinstep.colo.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.debugexit.IsaDebugExit;
import dev.twinstep.devices.pic.PicPair;
import dev.twinstep.devices.pit.Pit8254;
import dev.twinstep.devices.rtc.Mc146818Rtc;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.serial.Uart16550;
import dev.twinstep.devices.storage.DiskImage;
import dev.twinstep.devices.storage.RawDiskImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Small real PCs for replication tests: an icount clock (so that saved device state depends on
 * nothing but the guest's execution), a few platform devices from the devices module, and raw disk
 * images on temporary files. Plus the digests the tests compare a source and its replica with.
 */
public final class TestMachines {
    /** RAM of every test machine: large enough for a kernel at 1 MiB and a working set above it. */
    public static final long RAM_BYTES = 8L << 20;
    /** Sectors of every test disk (1 MiB). */
    public static final int DISK_SECTORS = 2048;
    /** The RTC's fixed wall-clock start, so that two machines built apart agree. */
    private static final long RTC_EPOCH_SECONDS = 1_700_000_000L;

    private TestMachines() {
    }

    /** The platform devices a replicated machine carries; {@link #WITHOUT_RTC} makes a differently configured one. */
    public enum Platform {
        /** PIC pair, PIT, RTC, COM1 and isa-debug-exit. */
        STANDARD,
        /** The same without the RTC: a different device list, so a different configuration fingerprint. */
        WITHOUT_RTC
    }

    /** A standard machine with one disk in {@code dir}/{@code diskName}. */
    public static ReplicatedMachine replicated(Path dir, String diskName) throws IOException {
        return replicated(dir, Platform.STANDARD, RAM_BYTES, diskName);
    }

    /**
     * A machine of {@code platform} with {@code ramBytes} of RAM and one zero-filled disk image per name.
     */
    public static ReplicatedMachine replicated(Path dir, Platform platform, long ramBytes, String... diskNames)
            throws IOException {
        Machine machine = new Machine(MachineConfig.withRam(ramBytes).withClock(ClockMode.ICOUNT));
        PicPair pic = new PicPair();
        machine.addDevice(pic);
        machine.cpu().interruptSource = pic;
        machine.addDevice(new Pit8254(machine.clock(), pic.irq(0)));
        if (platform == Platform.STANDARD) {
            machine.addDevice(new Mc146818Rtc(machine.clock(), pic.irq(8), ramBytes, RTC_EPOCH_SECONDS));
        }
        machine.addDevice(new Uart16550("serial0", Uart16550.COM1_PORT, SerialBackend.NONE,
                pic.irq(Uart16550.COM1_IRQ), machine.clock()));
        machine.addDevice(IsaDebugExit.standard());
        List<DiskImage> disks = new ArrayList<>();
        for (String name : diskNames) {
            Path file = dir.resolve(name);
            try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
                raw.setLength((long) DISK_SECTORS * DiskImage.SECTOR_SIZE);
            }
            disks.add(RawDiskImage.open(file, false));
        }
        return new ReplicatedMachine(machine, disks);
    }

    /** Closes the disk images of {@code replica}. */
    public static void closeDisks(ReplicatedMachine replica) {
        if (replica == null) {
            return;
        }
        for (DiskImage disk : replica.disks()) {
            try {
                disk.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** SHA-256 of all of RAM. */
    public static String ramDigest(Machine machine) {
        UnsafeBuffer ram = machine.memory().ram();
        byte[] chunk = new byte[1 << 16];
        MessageDigest digest = sha256();
        for (long at = 0; at < machine.memory().ramSize(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, machine.memory().ramSize() - at);
            ram.getBytes((int) at, chunk, 0, n);
            digest.update(chunk, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of every sector of every disk, in drive order. */
    public static String diskDigest(ReplicatedMachine replica) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer sectors = ByteBuffer.allocate(64 * DiskImage.SECTOR_SIZE);
        for (DiskImage disk : replica.disks()) {
            for (long first = 0; first < disk.sectorCount(); first += 64) {
                sectors.clear().limit((int) Math.min(64, disk.sectorCount() - first) * DiskImage.SECTOR_SIZE);
                disk.read(first, sectors);
                digest.update(sectors.array(), 0, sectors.limit());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The machine's device state (CPU, clock, devices) as saved for a checkpoint. Not running or paused. */
    public static byte[] deviceState(Machine machine) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        machine.saveDeviceState(bytes);
        return bytes.toByteArray();
    }

    /** What a replica must equal: RAM, disks and device state. */
    public record Fingerprint(String ram, String disks, byte[] deviceState) {
    }

    /** RAM, disk and device-state fingerprint of {@code replica}. Not running or paused. */
    public static Fingerprint fingerprint(ReplicatedMachine replica) throws IOException {
        return new Fingerprint(ramDigest(replica.machine()), diskDigest(replica), deviceState(replica.machine()));
    }

    /** Fails unless the two machines hold the same RAM, disk contents and device state, naming the first difference. */
    public static void assertSameState(ReplicatedMachine expected, ReplicatedMachine actual) throws IOException {
        assertSamePages(expected.machine(), actual.machine());
        assertSameState(fingerprint(expected), fingerprint(actual), "");
    }

    /** Fails unless the fingerprints are equal. */
    public static void assertSameState(Fingerprint expected, Fingerprint actual, String context) {
        if (!expected.ram().equals(actual.ram())) {
            fail(context + "RAM differs");
        }
        if (!expected.disks().equals(actual.disks())) {
            fail(context + "disk contents differ");
        }
        assertArrayEquals(expected.deviceState(), actual.deviceState(), context + "device state differs");
    }

    /** Fails naming the first RAM page whose contents differ. */
    public static void assertSamePages(Machine expected, Machine actual) {
        UnsafeBuffer a = expected.memory().ram();
        UnsafeBuffer b = actual.memory().ram();
        int pages = (int) (expected.memory().ramSize() >>> GuestMemory.PAGE_SHIFT);
        for (int page = 0; page < pages; page++) {
            int base = page << GuestMemory.PAGE_SHIFT;
            for (int i = 0; i < GuestMemory.PAGE_SIZE; i += 8) {
                if (a.getLong(base + i) != b.getLong(base + i)) {
                    fail(String.format("RAM page 0x%x differs at offset 0x%x", page, i));
                }
            }
        }
    }

    /** Writes {@code sectors} of a recognizable pattern (salted) to disk {@code disk}. */
    public static void writeSectors(ReplicatedMachine replica, int disk, int salt, long... sectors) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(DiskImage.SECTOR_SIZE);
        for (long sector : sectors) {
            data.clear();
            for (int i = 0; i < DiskImage.SECTOR_SIZE; i++) {
                data.put((byte) (sector * 31 + i * 7 + salt));
            }
            data.flip();
            replica.disks().get(disk).write(sector, data);
        }
    }

    /** Writes a recognizable 32-bit pattern (salted) into every word of each given page, through the guest-memory API. */
    public static void writePages(Machine machine, int salt, int... pages) {
        for (int page : pages) {
            int base = page << GuestMemory.PAGE_SHIFT;
            for (int i = 0; i < GuestMemory.PAGE_SIZE; i += 4) {
                machine.memory().write32(base + i, page * 0x01000193 ^ i ^ salt);
            }
        }
    }

    /** Changes device state visibly: CPU registers, the UART's scratch register and line control, the PIT's channel 0. */
    public static void touchDevices(Machine machine, int salt) {
        machine.cpu().regs[0] = 0xCAFE0000 | salt;
        machine.cpu().regs[6] = salt * 3;
        machine.io().write(Uart16550.COM1_PORT + 7, 1, salt & 0xFF);
        machine.io().write(Uart16550.COM1_PORT + 3, 1, 0x03);
        machine.io().write(0x43, 1, 0x34);
        machine.io().write(0x40, 1, salt & 0xFF);
        machine.io().write(0x40, 1, 0x10);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
