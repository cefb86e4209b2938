package dev.twinstep.colo.state;

import static dev.twinstep.colo.state.TestMachines.assertSamePages;
import static dev.twinstep.colo.state.TestMachines.diskDigest;
import static dev.twinstep.colo.state.TestMachines.ramDigest;
import static dev.twinstep.colo.state.TestMachines.writePages;
import static dev.twinstep.colo.state.TestMachines.writeSectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.storage.DiskImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pre-copy batches from {@link PrecopySender} to {@link PrecopyReceiver} over loopback TCP, and forged ones. */
class PrecopyTest {
    @TempDir
    Path dir;
    private ReplicatedMachine source;
    private ReplicatedMachine replica;
    private ChannelPair pair;
    private PrecopySender sender;
    private PrecopyReceiver receiver;

    @BeforeEach
    void build() throws IOException {
        source = TestMachines.replicated(dir, "source.img");
        replica = TestMachines.replicated(dir, "replica.img");
        pair = ChannelPair.open();
        sender = new PrecopySender(source, pair.source);
        receiver = new PrecopyReceiver(replica);
    }

    @AfterEach
    void release() {
        pair.close();
        TestMachines.closeDisks(source);
        TestMachines.closeDisks(replica);
    }

    private interface Sending {
        void send() throws IOException;
    }

    /** Runs {@code sending} and applies batches until it is done (a VMSTATE_LOADED marks the end). */
    private void transfer(Sending sending) throws Exception {
        CompletableFuture<Void> sent = Background.run("pre-copy", () -> {
            sending.send();
            pair.source.send(ColoMessage.VMSTATE_LOADED, 0);
        });
        while (true) {
            ColoMessage message = pair.target.readMessage();
            if (message == ColoMessage.VMSTATE_LOADED) {
                pair.target.in().readLong();
                break;
            }
            if (message == ColoMessage.RAM_BATCH) {
                receiver.receivePages(pair.target.in());
            } else if (message == ColoMessage.DISK_BATCH) {
                receiver.receiveSectors(pair.target.in());
            } else {
                throw new AssertionError("unexpected " + message);
            }
        }
        sent.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldCopyEveryNonZeroPageAndEverySectorInTheFirstRound() throws Exception {
        writePages(source.machine(), 1, 0, 9, 300, 301, 302, 1999);
        writeSectors(source, 0, 1, 0, 127, 128, 2047);
        writePages(replica.machine(), 2, 5);
        sender.takeDirty();
        receiver.clearRam();

        transfer(sender::sendEverything);

        assertEquals(6, receiver.pagesReceived(), "zero pages are skipped");
        assertEquals(TestMachines.DISK_SECTORS, receiver.sectorsReceived());
        assertSamePages(source.machine(), replica.machine());
        assertEquals(diskDigest(source), diskDigest(replica));
    }

    @Test
    void shouldSendOnlyWhatWasWrittenAfterTheTakeInALaterRound() throws Exception {
        writePages(source.machine(), 1, 20, 21);
        sender.takeDirty();
        receiver.clearRam();
        transfer(sender::sendEverything);
        long afterFirstRound = receiver.pagesReceived();

        writePages(source.machine(), 2, 21, 700);
        writeSectors(source, 0, 2, 3, 4, 5, 900);
        assertEquals(2, sender.takeDirty());
        transfer(sender::sendTaken);

        assertEquals(2, receiver.pagesReceived() - afterFirstRound);
        assertEquals(TestMachines.DISK_SECTORS + 4, receiver.sectorsReceived(), "only the 4 sectors written after the take");
        assertSamePages(source.machine(), replica.machine());
        assertEquals(diskDigest(source), diskDigest(replica));
    }

    // ------------------------------------------------------------------ forged batches

    private static byte[] pageBatch(int[] pages, boolean corruptCrc) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(records);
        for (int page : pages) {
            out.writeInt(page);
            byte[] contents = new byte[GuestMemory.PAGE_SIZE];
            Arrays.fill(contents, (byte) 0xAB);
            out.write(contents);
        }
        return withHeaderAndCrc(records.toByteArray(), corruptCrc, o -> o.writeInt(pages.length));
    }

    private static byte[] diskBatch(int disk, long first, int count, boolean corruptCrc) throws IOException {
        byte[] sectors = new byte[count * DiskImage.SECTOR_SIZE];
        Arrays.fill(sectors, (byte) 0xCD);
        return withHeaderAndCrc(sectors, corruptCrc, o -> {
            o.writeInt(disk);
            o.writeLong(first);
            o.writeInt(count);
        });
    }

    private interface Header {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] withHeaderAndCrc(byte[] body, boolean corruptCrc, Header header) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        header.write(out);
        out.write(body);
        out.writeInt((int) crc.getValue() ^ (corruptCrc ? 1 : 0));
        return bytes.toByteArray();
    }

    private void deliver(byte[] batch) throws IOException {
        pair.source.write(out -> out.write(batch));
    }

    private void assertReplicaUnchanged(String ramBefore, String diskBefore) throws IOException {
        assertEquals(ramBefore, ramDigest(replica.machine()), "RAM unchanged");
        assertEquals(diskBefore, diskDigest(replica), "disk unchanged");
    }

    @Test
    void shouldRefuseARamBatchWithAPageOutsideRamBeforeWritingAnyOfIt() throws Exception {
        String ramBefore = ramDigest(replica.machine());
        String diskBefore = diskDigest(replica);
        deliver(pageBatch(new int[] {4, (int) (TestMachines.RAM_BYTES >> 12)}, false));

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiver.receivePages(pair.target.in()));

        assertTrue(refusal.getMessage().contains("outside RAM"), refusal.getMessage());
        assertReplicaUnchanged(ramBefore, diskBefore);
    }

    @Test
    void shouldRefuseARamBatchThatFailsItsChecksum() throws Exception {
        String ramBefore = ramDigest(replica.machine());
        String diskBefore = diskDigest(replica);
        deliver(pageBatch(new int[] {4, 5}, true));

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiver.receivePages(pair.target.in()));

        assertTrue(refusal.getMessage().contains("CRC32C"), refusal.getMessage());
        assertReplicaUnchanged(ramBefore, diskBefore);
    }

    @Test
    void shouldRefuseARamBatchLargerThanTheSenderEverMakes() throws Exception {
        pair.source.write(out -> out.writeInt(PrecopySender.PAGES_PER_BATCH + 1));

        assertThrows(ProtocolException.class, () -> receiver.receivePages(pair.target.in()));
    }

    @Test
    void shouldRefuseADiskBatchRunningPastTheEndOfTheDisk() throws Exception {
        String ramBefore = ramDigest(replica.machine());
        String diskBefore = diskDigest(replica);
        deliver(diskBatch(0, TestMachines.DISK_SECTORS - 2, 4, false));

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiver.receiveSectors(pair.target.in()));

        assertTrue(refusal.getMessage().contains("outside disk"), refusal.getMessage());
        assertReplicaUnchanged(ramBefore, diskBefore);
    }

    @Test
    void shouldRefuseADiskBatchForADiskTheReplicaDoesNotHave() throws Exception {
        deliver(diskBatch(1, 0, 1, false));

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiver.receiveSectors(pair.target.in()));

        assertTrue(refusal.getMessage().contains("disk 1"), refusal.getMessage());
    }

    @Test
    void shouldRefuseADiskBatchThatFailsItsChecksum() throws Exception {
        String ramBefore = ramDigest(replica.machine());
        String diskBefore = diskDigest(replica);
        deliver(diskBatch(0, 10, 2, true));

        assertThrows(ProtocolException.class, () -> receiver.receiveSectors(pair.target.in()));

        assertReplicaUnchanged(ramBefore, diskBefore);
    }
}
