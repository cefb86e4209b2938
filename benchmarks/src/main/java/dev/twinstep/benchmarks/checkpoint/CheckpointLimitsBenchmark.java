package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.core.memory.GuestMemory;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * The two limits the checkpoint figures are judged against, measured in the same run (issue 5):
 *
 * <ul>
 *   <li>{@code memcpy}: copying {@code dirtyPages} scattered 4 KiB pages of a RAM-sized off-heap
 *       buffer into contiguous staging ({@link UnsafeBuffer#putBytes}, i.e. {@code Unsafe.copyMemory}):
 *       the floor of the primary's pause. The pause target is 1.3 times this plus 100 us. Before
 *       each call one word of every page is written (untimed), as the pause benchmark's guest does,
 *       so both copies start with the same pages in the caches and the TLB.</li>
 *   <li>{@code loopback}: pushing the page records of such an epoch ({@code dirtyPages} x
 *       {@value EpochCapture#PAGE_RECORD} bytes plus an 8-byte header) through a loopback TCP
 *       connection (TCP_NODELAY, direct buffers, a reader thread on the other end) and getting a
 *       one-byte answer back: the floor of the round trip, whose zero-page row is the loopback
 *       ping-pong latency and whose slope is the loopback bandwidth.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CheckpointLimitsBenchmark {
    /** Bytes the loopback transfer sends besides the page records, as the epoch's header would. */
    static final int HEADER_BYTES = 8;

    /** A RAM-sized buffer, the pages to copy and where they go. */
    @State(Scope.Thread)
    public static class MemcpyState {
        /** Pages of 4 KiB to copy. */
        @Param({"0", "16", "256", "4096", "16384"})
        public int dirtyPages;

        /** Size of the buffer the pages are copied from, in MiB. */
        @Param("128")
        public int ramMiB;

        UnsafeBuffer ram;
        UnsafeBuffer staging;
        int[] pages;
        private int round;

        /** Allocates and fills both buffers (touching every page, so no copy pays a first-touch fault). */
        @Setup(Level.Trial)
        public void allocate() {
            long ramBytes = (long) ramMiB << 20;
            ram = new UnsafeBuffer(ByteBuffer.allocateDirect((int) ramBytes));
            ram.setMemory(0, ram.capacity(), (byte) 0x5A);
            pages = CheckpointPc.spreadPages(ramBytes, dirtyPages);
            staging = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, dirtyPages) * GuestMemory.PAGE_SIZE));
            staging.setMemory(0, staging.capacity(), (byte) 0);
        }

        /** Writes one word of each page, as the guest of {@link CheckpointPauseBenchmark} does between pauses. */
        @Setup(Level.Invocation)
        public void touch() {
            round++;
            int offset = (round << 2) & (GuestMemory.PAGE_SIZE - 1);
            for (int page : pages) {
                ram.putInt((page << GuestMemory.PAGE_SHIFT) + offset, round);
            }
        }
    }

    /** Copies the dirty pages into staging; returns the bytes copied. */
    @Benchmark
    public int memcpy(MemcpyState state) {
        UnsafeBuffer ram = state.ram;
        UnsafeBuffer staging = state.staging;
        int[] pages = state.pages;
        for (int i = 0; i < pages.length; i++) {
            staging.putBytes(i << GuestMemory.PAGE_SHIFT, ram, pages[i] << GuestMemory.PAGE_SHIFT, GuestMemory.PAGE_SIZE);
        }
        return pages.length << GuestMemory.PAGE_SHIFT;
    }

    /** A loopback TCP connection whose far end reads each transfer whole and answers with one byte. */
    @State(Scope.Thread)
    public static class LoopbackState {
        /** Pages of 4 KiB whose records each transfer carries. */
        @Param({"0", "16", "256", "4096", "16384"})
        public int dirtyPages;

        ServerSocketChannel server;
        SocketChannel sender;
        SocketChannel receiver;
        Thread echo;
        ByteBuffer payload;
        final ByteBuffer answer = ByteBuffer.allocateDirect(1);

        /** Connects both ends and starts the far end's thread. */
        @Setup(Level.Trial)
        public void connect() throws IOException {
            long bytes = transferBytes(dirtyPages);
            payload = ByteBuffer.allocateDirect((int) bytes);
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            sender = SocketChannel.open(server.getLocalAddress());
            receiver = server.accept();
            sender.setOption(StandardSocketOptions.TCP_NODELAY, true);
            receiver.setOption(StandardSocketOptions.TCP_NODELAY, true);
            echo = new Thread(() -> answerEachTransfer(receiver, bytes), "checkpoint-loopback-echo");
            echo.setDaemon(true);
            echo.start();
        }

        /** Closes the connection, which ends the far end's thread. */
        @TearDown(Level.Trial)
        public void close() throws IOException, InterruptedException {
            sender.close();
            echo.join(5000);
            receiver.close();
            server.close();
        }
    }

    /** Bytes one loopback transfer carries for {@code dirtyPages}. */
    static long transferBytes(int dirtyPages) {
        return HEADER_BYTES + (long) dirtyPages * EpochCapture.PAGE_RECORD;
    }

    private static void answerEachTransfer(SocketChannel channel, long bytesPerTransfer) {
        ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
        ByteBuffer reply = ByteBuffer.allocateDirect(1);
        try {
            while (true) {
                for (long left = bytesPerTransfer; left > 0; ) {
                    in.clear();
                    if (left < in.capacity()) {
                        in.limit((int) left);
                    }
                    int n = channel.read(in);
                    if (n < 0) {
                        return;
                    }
                    left -= n;
                }
                reply.clear();
                while (reply.hasRemaining()) {
                    channel.write(reply);
                }
            }
        } catch (IOException closed) {
            // The sender closed the connection: the trial is over.
        }
    }

    /** Sends one transfer and waits for its answer; returns the answer byte. */
    @Benchmark
    public int loopback(LoopbackState state) throws IOException {
        ByteBuffer payload = state.payload;
        payload.clear();
        while (payload.hasRemaining()) {
            state.sender.write(payload);
        }
        ByteBuffer answer = state.answer;
        answer.clear();
        while (answer.hasRemaining()) {
            if (state.sender.read(answer) < 0) {
                throw new EOFException("the loopback peer closed the connection");
            }
        }
        return answer.get(0);
    }
}
