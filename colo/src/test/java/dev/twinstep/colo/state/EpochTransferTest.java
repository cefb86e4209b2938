package dev.twinstep.colo.state;

import static dev.twinstep.colo.state.TestMachines.assertSameState;
import static dev.twinstep.colo.state.TestMachines.touchDevices;
import static dev.twinstep.colo.state.TestMachines.writePages;
import static dev.twinstep.colo.state.TestMachines.writeSectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One epoch from {@link EpochCapture} on a source machine to {@link EpochStage} on its replica, over loopback TCP. */
class EpochTransferTest {
    @TempDir
    Path dir;
    private ReplicatedMachine source;
    private ReplicatedMachine replica;
    private EpochCapture capture;
    private EpochStage stage;
    private ChannelPair pair;

    @BeforeEach
    void buildTwoIdenticalMachines() throws IOException {
        source = TestMachines.replicated(dir, "source.img");
        replica = TestMachines.replicated(dir, "replica.img");
        capture = new EpochCapture(source);
        capture.discardDirty();
        stage = new EpochStage(replica);
        pair = ChannelPair.open();
    }

    @AfterEach
    void release() {
        pair.close();
        TestMachines.closeDisks(source);
        TestMachines.closeDisks(replica);
    }

    /** Captures, streams and stages one epoch; the replica is not changed yet. */
    private void captureAndReceive() throws Exception {
        capture.capture();
        CompletableFuture<Void> sending = Background.run("send", () -> capture.send(pair.source, false));
        pair.target.expect(ColoMessage.VMSTATE_SEND);
        stage.receive(pair.target.in());
        sending.get(10, TimeUnit.SECONDS);
    }

    private void transferEpoch() throws Exception {
        captureAndReceive();
        stage.validate();
        stage.apply();
    }

    @Test
    void shouldStartFromTwoMachinesInTheSameState() throws IOException {
        assertSameState(source, replica);
    }

    @Test
    void shouldMakeTheReplicaEqualTheSourceInRamDisksAndDevices() throws Exception {
        writePages(source.machine(), 1, 0, 1, 7, 255, 256, 1024, 2047);
        writeSectors(source, 0, 1, 0, 1, 2, 1000, TestMachines.DISK_SECTORS - 1);
        touchDevices(source.machine(), 0x5A);

        transferEpoch();

        assertEquals(7, capture.pageCount());
        assertEquals(5, capture.sectorCount());
        assertSameState(source, replica);
    }

    @Test
    void shouldSendOnlyThePagesAndSectorsWrittenSinceThePreviousEpoch() throws Exception {
        writePages(source.machine(), 1, 10, 11, 12, 13);
        writeSectors(source, 0, 1, 5, 6);
        transferEpoch();
        int untouchedPage = 12;
        byte[] replicaOwn = new byte[GuestMemory.PAGE_SIZE];
        Arrays.fill(replicaOwn, (byte) 0x77);
        replica.machine().memory().ram().putBytes(untouchedPage << GuestMemory.PAGE_SHIFT, replicaOwn);

        writePages(source.machine(), 2, 11, 300);
        writePages(source.machine(), 3, 11);
        writeSectors(source, 0, 2, 6);
        transferEpoch();

        assertEquals(2, capture.pageCount(), "page 11 written twice travels once");
        assertEquals(1, capture.sectorCount());
        byte[] afterSecondEpoch = new byte[GuestMemory.PAGE_SIZE];
        replica.machine().memory().ram().getBytes(untouchedPage << GuestMemory.PAGE_SHIFT, afterSecondEpoch);
        assertEquals(0x77, afterSecondEpoch[0] & 0xFF, "page 12 was not in the second epoch, so the replica's copy stayed");
        replica.machine().memory().ram().putBytes(untouchedPage << GuestMemory.PAGE_SHIFT,
                pageOf(source, untouchedPage));
        assertSameState(source, replica);
    }

    @Test
    void shouldPutOnTheWireExactlyTheBytesItAnnounces() throws Exception {
        writePages(source.machine(), 1, 3, 4, 5);
        writeSectors(source, 0, 1, 9);
        capture.capture();
        long deviceStateBytes = TestMachines.deviceState(source.machine()).length;

        byte[] wire = EpochWire.sentBytes(capture);

        assertEquals(capture.wireBytes(), wire.length);
        long pagesPart = 4 + 4 + 3L * EpochCapture.PAGE_RECORD;
        long statePart = 4 + deviceStateBytes + 4 + 4 + EpochCapture.SECTOR_RECORD;
        assertEquals(pagesPart + 4 + 8 + statePart + 4, wire.length, "3 pages, one sector and the device state");
    }

    @Test
    void shouldSendAnEmptyEpochWhenNothingWasWritten() throws Exception {
        transferEpoch();

        assertEquals(0, capture.pageCount());
        assertEquals(0, capture.sectorCount());
        assertSameState(source, replica);
    }

    @Test
    void shouldKeepTheReplicaEqualOverManyEpochs() throws Exception {
        for (int epoch = 1; epoch <= 20; epoch++) {
            writePages(source.machine(), epoch, epoch * 37 % 2000, epoch * 101 % 2000, 500);
            writeSectors(source, 0, epoch, epoch * 13 % TestMachines.DISK_SECTORS);
            touchDevices(source.machine(), epoch);
            transferEpoch();
        }

        assertSameState(source, replica);
    }

    @Test
    void shouldMarkAppliedPagesDirtyOnTheReplicaSoThatStaleDecodedCodeIsDropped() throws Exception {
        writePages(source.machine(), 1, 40);
        replica.machine().memory().dirtyLog().takeAndClear(DirtyLog.Client.CODE,
                new long[replica.machine().memory().dirtyLog().wordCount()]);

        transferEpoch();

        assertTrue(replica.machine().memory().dirtyLog().isDirty(DirtyLog.Client.CODE, 40), "page 40 is dirty for the code cache");
    }

    private static byte[] pageOf(ReplicatedMachine machine, int page) {
        byte[] bytes = new byte[GuestMemory.PAGE_SIZE];
        machine.machine().memory().ram().getBytes(page << GuestMemory.PAGE_SHIFT, bytes);
        return bytes;
    }

    @Test
    void shouldCarryTheSectorsOfEachDiskToTheSameDiskOfTheReplica() throws Exception {
        ReplicatedMachine twoDiskSource = TestMachines.replicated(dir, TestMachines.Platform.STANDARD,
                TestMachines.RAM_BYTES, "source0.img", "source1.img");
        ReplicatedMachine twoDiskReplica = TestMachines.replicated(dir, TestMachines.Platform.STANDARD,
                TestMachines.RAM_BYTES, "replica0.img", "replica1.img");
        try {
            capture = new EpochCapture(twoDiskSource);
            capture.discardDirty();
            stage = new EpochStage(twoDiskReplica);
            writeSectors(twoDiskSource, 0, 1, 4, 5);
            writeSectors(twoDiskSource, 1, 2, 5, 6, 7);
            writePages(twoDiskSource.machine(), 3, 8);

            transferEpoch();

            assertEquals(5, capture.sectorCount());
            assertSameState(twoDiskSource, twoDiskReplica);
        } finally {
            TestMachines.closeDisks(twoDiskSource);
            TestMachines.closeDisks(twoDiskReplica);
        }
    }
}
