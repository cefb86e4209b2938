package dev.twinstep.colo.state;

import static dev.twinstep.colo.state.TestMachines.assertSameState;
import static dev.twinstep.colo.state.TestMachines.fingerprint;
import static dev.twinstep.colo.state.TestMachines.touchDevices;
import static dev.twinstep.colo.state.TestMachines.writePages;
import static dev.twinstep.colo.state.TestMachines.writeSectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.core.state.StateFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A corrupt, truncated or ill-fitting epoch is refused by {@link EpochStage} and changes nothing in
 * the replica: not its RAM, not its disk, not its device state.
 */
class EpochRefusalTest {
    private static final int PAGES = 3;
    private static final int SECTORS = 2;

    @TempDir
    Path dir;
    private ReplicatedMachine source;
    private ReplicatedMachine replica;
    private EpochCapture capture;
    private EpochStage stage;
    private TestMachines.Fingerprint replicaBefore;
    private int deviceStateBytes;

    @BeforeEach
    void stageAnEpochOnTheSource() throws IOException {
        source = TestMachines.replicated(dir, "source.img");
        replica = TestMachines.replicated(dir, "replica.img");
        capture = new EpochCapture(source);
        capture.discardDirty();
        stage = new EpochStage(replica);
        // The replica holds other contents in exactly the places the epoch covers: a full apply makes
        // it equal to the source, and any partial one shows.
        writePages(replica.machine(), 0x99, 3, 4, 1500);
        writeSectors(replica, 0, 0x99, 8, 9);
        touchDevices(replica.machine(), 0x11);
        replicaBefore = fingerprint(replica);

        writePages(source.machine(), 1, 3, 4, 1500);
        writeSectors(source, 0, 1, 8, 9);
        touchDevices(source.machine(), 0x22);
        capture.capture();
        deviceStateBytes = TestMachines.deviceState(source.machine()).length;
    }

    @AfterEach
    void release() {
        TestMachines.closeDisks(source);
        TestMachines.closeDisks(replica);
    }

    /** Sends {@code bytes} over loopback TCP, closes the sending end, and stages what arrives. */
    private void receiveDelivered(byte[] bytes) throws Exception {
        try (ChannelPair delivery = ChannelPair.open()) {
            CompletableFuture<Void> sending = Background.run("deliver", () -> {
                try {
                    delivery.source.write(out -> out.write(bytes));
                } finally {
                    delivery.source.close();
                }
            });
            try {
                delivery.target.expect(ColoMessage.VMSTATE_SEND);
                stage.receive(delivery.target.in());
            } finally {
                sending.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private void assertReplicaUnchanged() throws IOException {
        assertSameState(replicaBefore, fingerprint(replica), "after the refusal: ");
        assertThrows(IllegalStateException.class, stage::validate, "nothing verified is staged");
        assertThrows(IllegalStateException.class, stage::apply, "nothing validated is staged");
        assertSameState(replicaBefore, fingerprint(replica), "after trying to apply anyway: ");
    }

    @Test
    void shouldAcceptTheUndamagedEpochSoThatTheRefusalsBelowMeanSomething() throws Exception {
        receiveDelivered(EpochWire.sentBytes(capture));
        stage.validate();
        stage.apply();

        assertSameState(source, replica);
    }

    @Test
    void shouldRefuseAnEpochWhoseChecksumTheSenderCorrupted() throws Exception {
        try (ChannelPair pair = ChannelPair.open()) {
            CompletableFuture<Void> sending = Background.run("send", () -> capture.send(pair.source, true));
            pair.target.expect(ColoMessage.VMSTATE_SEND);

            ProtocolException refusal = assertThrows(ProtocolException.class, () -> stage.receive(pair.target.in()));
            sending.get(10, TimeUnit.SECONDS);
            assertTrue(refusal.getMessage().contains("CRC32C"), refusal.getMessage());
        }
        assertReplicaUnchanged();
    }

    /** Where in the epoch a bit is flipped in transit. */
    enum Spot {
        PAGE_COUNT(s -> 4 + 3),
        FIRST_PAGE_NUMBER(s -> 8 + 3),
        FIRST_PAGE_CONTENTS(s -> 8 + 4 + 100),
        LAST_PAGE_LAST_BYTE(s -> 8 + PAGES * EpochCapture.PAGE_RECORD - 1),
        VMSTATE_SIZE_CODE(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 3),
        STATE_LENGTH_HIGH(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 4 + 3),
        STATE_LENGTH_LOW(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 4 + 7),
        DEVICE_STATE_LENGTH(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 12 + 2),
        DEVICE_STATE_MIDDLE(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 12 + 4 + s / 2),
        SECTOR_COUNT(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 12 + 4 + s + 4 + 3),
        SECTOR_NUMBER(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 12 + 4 + s + 8 + 7),
        SECTOR_CONTENTS(s -> 8 + PAGES * EpochCapture.PAGE_RECORD + 12 + 4 + s + 8 + SECTORS * EpochCapture.SECTOR_RECORD - 1),
        CHECKSUM(s -> -1);

        /** From the device-state length to the offset in the epoch; negative counts from the end. */
        final ToIntFunction<Integer> offset;

        Spot(ToIntFunction<Integer> offset) {
            this.offset = offset;
        }
    }

    @ParameterizedTest
    @EnumSource(Spot.class)
    void shouldRefuseAnEpochWithABitFlippedInTransitAndChangeNothing(Spot spot) throws Exception {
        byte[] wire = EpochWire.sentBytes(capture);
        int fromSpec = spot.offset.applyAsInt(deviceStateBytes);
        int offset = fromSpec < 0 ? wire.length + fromSpec : fromSpec;

        IOException refusal = assertThrows(IOException.class,
                () -> receiveDelivered(EpochWire.withBitFlipped(wire, offset, 2)));

        if (spot.name().contains("CONTENTS") || spot == Spot.DEVICE_STATE_MIDDLE || spot == Spot.CHECKSUM
                || spot == Spot.FIRST_PAGE_NUMBER || spot == Spot.SECTOR_NUMBER) {
            assertTrue(refusal instanceof ProtocolException && refusal.getMessage().contains("CRC32C"),
                    "refused by the checksum: " + refusal);
        }
        assertReplicaUnchanged();
    }

    @Test
    void shouldRefuseEverySingleBitFlipAndEveryTruncationOfTheEpoch() throws Exception {
        byte[] wire = EpochWire.sentBytes(capture);
        for (int offset = 4; offset < wire.length; offset++) {
            byte bit = (byte) (1 << (offset % 8));
            wire[offset] ^= bit;
            assertThrows(IOException.class, () -> receiveFromMemory(wire, wire.length), "bit " + bit + " of byte " + offset);
            wire[offset] ^= bit;
        }
        for (int length = 4; length < wire.length; length++) {
            int cut = length;
            assertThrows(IOException.class, () -> receiveFromMemory(wire, cut), "cut after " + cut + " bytes");
        }

        assertReplicaUnchanged();
        receiveFromMemory(wire, wire.length);
        stage.validate();
        stage.apply();
        assertSameState(source, replica);
    }

    /** Stages an epoch from bytes in memory: the sweep above tries too many variants for a socket each. */
    private void receiveFromMemory(byte[] bytes, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length));
        assertEquals(ColoMessage.VMSTATE_SEND.code, in.readInt());
        stage.receive(in);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6, 8, 12, 5000, 8 + PAGES * EpochCapture.PAGE_RECORD, 8 + PAGES * EpochCapture.PAGE_RECORD + 10,
        8 + PAGES * EpochCapture.PAGE_RECORD + 20, -1})
    void shouldRefuseAnEpochCutShortByAClosedConnectionAndChangeNothing(int length) throws Exception {
        byte[] wire = EpochWire.sentBytes(capture);
        int cut = length < 0 ? wire.length + length : length;

        assertThrows(IOException.class, () -> receiveDelivered(EpochWire.truncated(wire, cut)));

        assertReplicaUnchanged();
    }

    @Test
    void shouldRefuseTheFirstHalfOfAnEpochFromAPrimaryThatDiedMidTransfer() throws Exception {
        try (ChannelPair pair = ChannelPair.open()) {
            capture.sendFirstHalf(pair.source);
            pair.source.close();
            pair.target.expect(ColoMessage.VMSTATE_SEND);

            assertThrows(IOException.class, () -> stage.receive(pair.target.in()));
        }
        assertReplicaUnchanged();
    }

    @Test
    void shouldAcceptAGoodEpochAfterRefusingACorruptOne() throws Exception {
        byte[] wire = EpochWire.sentBytes(capture);
        assertThrows(ProtocolException.class, () -> receiveDelivered(EpochWire.withBitFlipped(wire, 200, 0)));

        receiveDelivered(wire);
        stage.validate();
        stage.apply();

        assertSameState(source, replica);
    }

    @Test
    void shouldRefuseAPageCountLargerThanRamBeforeReadingThePages() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ColoMessage.VMSTATE_SEND.code);
        out.writeInt((int) (TestMachines.RAM_BYTES >> 12) + 1);

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiveDelivered(bytes.toByteArray()));
        assertTrue(refusal.getMessage().contains("pages"), refusal.getMessage());
        assertReplicaUnchanged();
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 7, (1L << 30) + 1, Long.MAX_VALUE})
    void shouldRefuseAnImpossibleStateBlockLength(long length) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ColoMessage.VMSTATE_SEND.code);
        out.writeInt(0);
        out.writeInt(ColoMessage.VMSTATE_SIZE.code);
        out.writeLong(length);

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> receiveDelivered(bytes.toByteArray()));
        assertTrue(refusal.getMessage().contains(String.valueOf(length)), refusal.getMessage());
        assertReplicaUnchanged();
    }

    // ------------------------------------------------------------------ validate()

    private byte[] goodDeviceState() throws IOException {
        return TestMachines.deviceState(source.machine());
    }

    private void assertValidationRefuses(byte[] epoch, String reason) throws Exception {
        receiveDelivered(epoch);
        StateFormatException refusal = assertThrows(StateFormatException.class, stage::validate);
        assertTrue(refusal.getMessage().contains(reason), refusal.getMessage());
        assertSameState(replicaBefore, fingerprint(replica), "after the refusal: ");
    }

    @Test
    void shouldAcceptAForgedButWellFormedEpochSoThatTheRefusalsBelowMeanSomething() throws Exception {
        receiveDelivered(new EpochWire.Builder().page(5, (byte) 1).deviceState(goodDeviceState())
                .sectors(new long[] {3}).build());
        stage.validate();
        stage.apply();

        assertTrue(replica.machine().memory().read8(5 << 12) == 1, "the page was applied");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE, (int) (TestMachines.RAM_BYTES >> 12), 0x7FFFF})
    void shouldRefuseAPageOutsideRamBeforeApplyingAnything(int page) throws Exception {
        assertValidationRefuses(new EpochWire.Builder().page(3, (byte) 1).page(page, (byte) 2)
                .deviceState(goodDeviceState()).sectors(new long[] {1}).build(), "outside RAM");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, TestMachines.DISK_SECTORS, Long.MAX_VALUE})
    void shouldRefuseASectorOutsideTheDiskBeforeApplyingAnything(long sector) throws Exception {
        assertValidationRefuses(new EpochWire.Builder().page(3, (byte) 1).deviceState(goodDeviceState())
                .sectors(new long[] {1, sector}).build(), "outside disk");
    }

    @Test
    void shouldRefuseAnEpochForAnotherNumberOfDisks() throws Exception {
        assertValidationRefuses(new EpochWire.Builder().page(3, (byte) 1).deviceState(goodDeviceState())
                .sectors(new long[] {1}, new long[] {2}).build(), "2 disks");
    }

    @Test
    void shouldRefuseDeviceStateWhoseOwnChecksumFails() throws Exception {
        byte[] damaged = goodDeviceState();
        damaged[damaged.length / 2] ^= 0x10;

        receiveDelivered(new EpochWire.Builder().page(3, (byte) 1).deviceState(damaged).sectors(new long[] {1}).build());

        assertThrows(StateFormatException.class, stage::validate);
        assertSameState(replicaBefore, fingerprint(replica), "after the refusal: ");
    }

    @Test
    void shouldRefuseDeviceStateFromADifferentlyConfiguredMachineBeforeApplyingAnything() throws Exception {
        ReplicatedMachine other = TestMachines.replicated(dir, TestMachines.Platform.WITHOUT_RTC, TestMachines.RAM_BYTES,
                "other.img");
        try {
            EpochCapture otherCapture = new EpochCapture(other);
            otherCapture.discardDirty();
            writePages(other.machine(), 5, 3, 4);
            writeSectors(other, 0, 5, 8);
            otherCapture.capture();

            receiveDelivered(EpochWire.sentBytes(otherCapture));

            StateFormatException refusal = assertThrows(StateFormatException.class, stage::validate);
            assertTrue(refusal.getMessage().contains("rtc") || refusal.getMessage().contains("configuration")
                    || refusal.getMessage().contains("machine"), refusal.getMessage());
            assertSameState(replicaBefore, fingerprint(replica), "after the refusal: ");
        } finally {
            TestMachines.closeDisks(other);
        }
    }

    @Test
    void shouldRefuseToApplyAnEpochWhoseValidationFailed() throws Exception {
        receiveDelivered(new EpochWire.Builder().page(3, (byte) 1).deviceState(goodDeviceState())
                .sectors(new long[] {TestMachines.DISK_SECTORS}).build());
        assertThrows(StateFormatException.class, stage::validate);

        assertThrows(RuntimeException.class, stage::apply);
        assertSameState(replicaBefore, fingerprint(replica), "after apply() of a refused epoch: ");
    }

    @Test
    void shouldRefuseToApplyAfterAFailedReceiveEvenIfAnEarlierEpochWasValidated() throws Exception {
        byte[] wire = EpochWire.sentBytes(capture);
        receiveDelivered(wire);
        stage.validate();
        byte[] corrupt = EpochWire.withBitFlipped(wire, 300, 1);
        assertThrows(ProtocolException.class, () -> receiveDelivered(corrupt));

        assertThrows(IllegalStateException.class, stage::apply);
        assertSameState(replicaBefore, fingerprint(replica), "after apply() following a refused receive: ");
    }
}
