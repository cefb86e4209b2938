package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.state.EpochStage;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.memory.GuestMemory;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The secondary's apply time (issue 5): {@link EpochStage#validate()} (page numbers, device state
 * checked without loading) and {@link EpochStage#apply()} (pages into RAM with their dirty marks,
 * device state loaded) of an epoch with {@code dirtyPages} pages, on a machine of the same shape.
 *
 * <p>The epoch is the bytes a real primary put on a socket ({@link EpochCapture#send}), recorded once
 * per trial; before each call it is staged again from memory ({@link EpochStage#receive}, untimed:
 * receiving is part of the round trip, not of applying).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CheckpointApplyBenchmark {
    /** Pages of 4 KiB in the epoch. */
    @Param({"0", "16", "256", "4096", "16384"})
    public int dirtyPages;

    /** Guest RAM in MiB, on both machines. */
    @Param("128")
    public int ramMiB;

    CheckpointPc primary;
    CheckpointPc secondary;
    private EpochStage stage;
    private int[] pages;
    private byte[] epochBytes;

    /** Builds both machines and records one epoch of the primary as it goes on the wire. */
    @Setup(Level.Trial)
    public void record() throws IOException, InterruptedException {
        long ramBytes = (long) ramMiB << 20;
        primary = CheckpointPc.build(ramBytes);
        primary.fillRam(ramMiB);
        pages = CheckpointPc.spreadPages(ramBytes, dirtyPages);
        EpochCapture capture = new EpochCapture(primary.replica());
        capture.discardDirty();
        primary.dirty(pages, 1);
        capture.capture();
        epochBytes = sendAndRecord(capture);
        int code = ByteBuffer.wrap(epochBytes).getInt();
        if (epochBytes.length != capture.wireBytes() || code != ColoMessage.VMSTATE_SEND.code) {
            throw new IllegalStateException("recorded " + epochBytes.length + " bytes starting with code " + code
                    + ", expected " + capture.wireBytes() + " starting with VMSTATE_SEND");
        }
        secondary = CheckpointPc.build(ramBytes);
        stage = new EpochStage(secondary.replica());
    }

    /** The epoch's bytes as {@link EpochCapture#send} writes them to a real socket, code first. */
    static byte[] sendAndRecord(EpochCapture capture) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            byte[][] received = new byte[1][];
            IOException[] failure = new IOException[1];
            Thread reader = new Thread(() -> {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    received[0] = in.readAllBytes();
                } catch (IOException e) {
                    failure[0] = e;
                }
            }, "checkpoint-epoch-recorder");
            reader.start();
            try (ReplicationChannel channel = ReplicationChannel.connect(
                    new ReplicationAddress("127.0.0.1", server.getLocalPort()), 5000)) {
                capture.send(channel, false);
            }
            reader.join();
            if (failure[0] != null) {
                throw new UncheckedIOException("recording the epoch failed", failure[0]);
            }
            return received[0];
        }
    }

    /** Stages the recorded epoch again (the previous call consumed it). */
    @Setup(Level.Invocation)
    public void stage() throws IOException {
        stage.receive(new DataInputStream(new ByteArrayInputStream(epochBytes, Integer.BYTES,
                epochBytes.length - Integer.BYTES)));
    }

    /** Validates and applies the staged epoch; returns its page count. */
    @Benchmark
    public int apply() throws IOException {
        stage.validate();
        stage.apply();
        return stage.pageCount();
    }

    /** Fails the run unless every page of the epoch now reads the same on both machines. */
    @TearDown(Level.Trial)
    public void check() {
        UnsafeBuffer ours = secondary.machine().memory().ram();
        UnsafeBuffer theirs = primary.machine().memory().ram();
        for (int page : pages) {
            int at = page << GuestMemory.PAGE_SHIFT;
            for (int i = 0; i < GuestMemory.PAGE_SIZE; i += Long.BYTES) {
                if (ours.getLong(at + i) != theirs.getLong(at + i)) {
                    throw new IllegalStateException("page " + page + " was not applied");
                }
            }
        }
        primary.output().close();
        secondary.output().close();
    }
}
