package dev.twinstep.tools;

import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.sync.SyncTarget;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.state.StateFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;

/**
 * The destination of a live migration ({@code run --incoming tcp:HOST:PORT}): listens before the
 * guest would start, takes one source, checks that both machines have the same shape, receives the
 * pre-copy rounds and the stop-and-copy epoch, and waits for the source's hand-over before the guest
 * runs here. A migration that fails leaves this process with a clear error and no guest.
 */
final class IncomingMigration implements AutoCloseable {
    private final ReplicationAddress address;
    private final ServerSocket server;

    private IncomingMigration(ReplicationAddress address, ServerSocket server) {
        this.address = address;
        this.server = server;
    }

    /** Binds {@code address} now, so that a busy port is reported before anything starts. */
    static IncomingMigration listen(ReplicationAddress address) throws UsageException {
        try {
            ServerSocket server = ReplicationChannel.listen(address.socketAddress(), 50);
            return new IncomingMigration(address, server);
        } catch (IOException e) {
            throw new UsageException("--incoming " + address + ": cannot listen: " + e.getMessage());
        }
    }

    /** The port bound (useful with port 0). */
    int port() {
        return server.getLocalPort();
    }

    /**
     * Waits for the source and takes the machine over; returns once the source has stopped its guest
     * and released its endpoints.
     *
     * @throws UsageException when the migration fails (the message says why); nothing runs then
     */
    void receive(GuestMachine guest, PrintStream notes) throws UsageException {
        notes.println("twinstep: waiting for an incoming migration on " + address);
        notes.flush();
        ReplicatedMachine replica = guest.replica();
        try (ReplicationChannel channel = ReplicationChannel.accept(server)) {
            server.close();
            Handshake.Offer offer = Handshake.readOffer(channel);
            Handshake.answer(channel, offer, Handshake.MIGRATE, replica.describe());
            long started = System.nanoTime();
            SyncTarget target = new SyncTarget(replica, channel);
            target.receiveSync();
            channel.expect(ColoMessage.HANDOVER);
            notes.printf("twinstep: migration received from %s in %.1f s; the guest runs here now%n", channel.peer(),
                    (System.nanoTime() - started) / 1e9);
            notes.flush();
        } catch (IOException | StateFormatException e) {
            throw new UsageException("incoming migration on " + address + " failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
