package dev.twinstep.colo.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.state.TestMachines;
import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.colo.wire.ReplicationChannel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first exchange on a replication connection: agreement, or a refusal by name before any state moves. */
class HandshakeTest {
    private static final String DESCRIPTION = "pc;ram=8388608;clock=ICOUNT/4ns;sections=cpu,clock,pic;disks=2048 sectors";
    private static final String OPTIONS = "--memory 8M --serial none";

    private final ChannelPair pair;

    @TempDir
    Path dir;

    HandshakeTest() throws IOException {
        pair = ChannelPair.open();
    }

    @AfterEach
    void close() {
        pair.close();
    }

    /** The offering side on its own thread, as a primary or migration source runs it. */
    private CompletableFuture<Void> offerAsync(String purpose, String description) {
        return Background.run("offer", () -> Handshake.offer(pair.source, purpose, description, OPTIONS));
    }

    private static Throwable failureOf(CompletableFuture<Void> offering) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> offering.get(5, TimeUnit.SECONDS));
        return failure.getCause();
    }

    @Test
    void shouldAgreeAndPassTheMachineOptionsWhenBothEndsMatch() throws Exception {
        CompletableFuture<Void> offering = offerAsync(Handshake.COLO_PERIODIC, DESCRIPTION);

        Handshake.Offer offer = Handshake.readOffer(pair.target);
        Handshake.answer(pair.target, offer, Handshake.COLO_PERIODIC, DESCRIPTION);

        offering.get(5, TimeUnit.SECONDS);
        assertEquals(new Handshake.Offer(ReplicationChannel.PROTOCOL_VERSION, Handshake.COLO_PERIODIC, DESCRIPTION, OPTIONS),
                offer);
    }

    @Test
    void shouldRefuseADifferentMachineByNameOnBothEnds() throws Exception {
        String other = DESCRIPTION.replace("ram=8388608", "ram=16777216");
        CompletableFuture<Void> offering = offerAsync(Handshake.COLO_PERIODIC, other);

        Handshake.Offer offer = Handshake.readOffer(pair.target);
        ProtocolException refusal = assertThrows(ProtocolException.class,
                () -> Handshake.answer(pair.target, offer, Handshake.COLO_PERIODIC, DESCRIPTION));

        assertTrue(refusal.getMessage().contains("the machines differ") && refusal.getMessage().contains("ram=16777216")
                && refusal.getMessage().contains("ram=8388608"), refusal.getMessage());
        Throwable seenByOfferer = failureOf(offering);
        assertTrue(seenByOfferer instanceof ProtocolException && seenByOfferer.getMessage().contains("the machines differ"),
                String.valueOf(seenByOfferer));
    }

    @Test
    void shouldRefuseAnotherPurposeByName() throws Exception {
        CompletableFuture<Void> offering = offerAsync(Handshake.MIGRATE, DESCRIPTION);

        Handshake.Offer offer = Handshake.readOffer(pair.target);
        ProtocolException refusal = assertThrows(ProtocolException.class,
                () -> Handshake.answer(pair.target, offer, Handshake.COLO_PERIODIC, DESCRIPTION));

        assertTrue(refusal.getMessage().contains(Handshake.COLO_PERIODIC) && refusal.getMessage().contains(Handshake.MIGRATE),
                refusal.getMessage());
        assertTrue(failureOf(offering).getMessage().contains("the peer offered migrate"));
    }

    @Test
    void shouldRefuseAnotherProtocolVersionByNumber() throws Exception {
        int future = ReplicationChannel.PROTOCOL_VERSION + 1;
        pair.source.write(out -> {
            out.writeInt(ColoMessage.HELLO.code);
            out.writeInt(future);
            ReplicationChannel.writeString(out, Handshake.COLO_PERIODIC);
            ReplicationChannel.writeString(out, DESCRIPTION);
            ReplicationChannel.writeString(out, OPTIONS);
        });

        Handshake.Offer offer = Handshake.readOffer(pair.target);
        ProtocolException refusal = assertThrows(ProtocolException.class,
                () -> Handshake.answer(pair.target, offer, Handshake.COLO_PERIODIC, DESCRIPTION));

        assertTrue(refusal.getMessage().contains("version " + future), refusal.getMessage());
        ProtocolException seenByPeer = assertThrows(ProtocolException.class, pair.source::readMessage);
        assertTrue(seenByPeer.getMessage().contains("version " + future), seenByPeer.getMessage());
    }

    @Test
    void shouldRefuseAnAnswerForAnotherPurposeOnTheOfferingSide() throws Exception {
        CompletableFuture<Void> offering = offerAsync(Handshake.COLO_PERIODIC, DESCRIPTION);
        Handshake.readOffer(pair.target);
        pair.target.write(out -> {
            out.writeInt(ColoMessage.HELLO.code);
            out.writeInt(ReplicationChannel.PROTOCOL_VERSION);
            ReplicationChannel.writeString(out, Handshake.MIGRATE);
            ReplicationChannel.writeString(out, DESCRIPTION);
            ReplicationChannel.writeString(out, "");
        });

        Throwable refusal = failureOf(offering);
        assertTrue(refusal instanceof ProtocolException && refusal.getMessage().contains(Handshake.MIGRATE),
                String.valueOf(refusal));
    }

    @Test
    void shouldRefuseAConnectionThatDoesNotStartWithHello() throws IOException {
        pair.source.send(ColoMessage.CHECKPOINT_REQUEST, 1);

        ProtocolException refusal = assertThrows(ProtocolException.class, () -> Handshake.readOffer(pair.target));
        assertTrue(refusal.getMessage().contains("HELLO"), refusal.getMessage());
    }

    @Test
    void shouldMoveNoStateWhenTheReplicaIsADifferentMachine() throws Exception {
        ReplicatedMachine source = TestMachines.replicated(dir, TestMachines.Platform.STANDARD, TestMachines.RAM_BYTES,
                "source.img");
        ReplicatedMachine replica = TestMachines.replicated(dir, TestMachines.Platform.STANDARD, 2 * TestMachines.RAM_BYTES,
                "replica.img");
        try {
            TestMachines.writePages(source.machine(), 1, 1, 2, 3);
            String replicaRamBefore = TestMachines.ramDigest(replica.machine());
            CompletableFuture<Void> sourceSide = Background.run("migration source", () -> {
                try (ReplicationChannel channel = pair.source) {
                    Handshake.offer(channel, Handshake.MIGRATE, source.describe(), OPTIONS);
                    new SyncSource(source, channel, new EpochCapture(source),
                            SyncSource.Options.DEFAULT, line -> { }).run(0, () -> { });
                }
            });

            Handshake.Offer offer = Handshake.readOffer(pair.target);
            assertThrows(ProtocolException.class,
                    () -> Handshake.answer(pair.target, offer, Handshake.MIGRATE, replica.describe()));

            assertThrows(ExecutionException.class, () -> sourceSide.get(5, TimeUnit.SECONDS));
            assertThrows(EOFException.class, pair.target::readMessage, "nothing followed the refused HELLO");
            assertEquals(replicaRamBefore, TestMachines.ramDigest(replica.machine()));
        } finally {
            TestMachines.closeDisks(source);
            TestMachines.closeDisks(replica);
        }
    }
}
