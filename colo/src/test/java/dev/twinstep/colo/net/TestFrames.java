package dev.twinstep.colo.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Frames that carry a sequence number and the epoch they were sent in, so order can be checked. */
final class TestFrames {
    static final int HEADER_BYTES = 2 * Long.BYTES;

    private TestFrames() {
    }

    /** @return a frame of the given length (at least 16) whose body repeats the sequence number's low byte */
    static byte[] frame(long sequence, long epoch, int length) {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        bytes.putLong(sequence).putLong(epoch);
        while (bytes.hasRemaining()) {
            bytes.put((byte) sequence);
        }
        return bytes.array();
    }

    static long sequenceOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(0);
    }

    static long epochOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(Long.BYTES);
    }

    /** @return true if the body is intact: every byte after the header is the sequence number's low byte */
    static boolean bodyIntact(byte[] frame) {
        byte expected = (byte) sequenceOf(frame);
        for (int i = HEADER_BYTES; i < frame.length; i++) {
            if (frame[i] != expected) {
                return false;
            }
        }
        return true;
    }

    static List<Long> sequencesOf(List<byte[]> frames) {
        List<Long> sequences = new ArrayList<>(frames.size());
        for (byte[] frame : frames) {
            sequences.add(sequenceOf(frame));
        }
        return sequences;
    }
}
