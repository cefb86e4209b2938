package dev.twinstep.colo.replication;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import java.nio.ByteBuffer;

/**
 * A stand-in NIC: each byte the guest writes to its port becomes one frame transmitted through the
 * output-commit buffer, on the machine thread as a NIC model would. The frame names its sequence
 * number, the output epoch open when the guest sent it, and whether output was held then.
 * Not saved with the machine (it has no guest-visible state).
 */
final class FramePort implements MachineDevice, IoPortHandler {
    static final int PORT = 0x510;
    static final int FRAME_BYTES = 64;

    private final OutputCommitBackend output;
    private final byte[] frame = new byte[FRAME_BYTES];
    private long sequence;

    FramePort(OutputCommitBackend output) {
        this.output = output;
    }

    @Override
    public String name() {
        return "test-frame-port";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(PORT, 1, this, name());
    }

    @Override
    public int ioRead(int offset, int size) {
        return 0xFF;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        ByteBuffer.wrap(frame).putLong(sequence++).putLong(output.openEpoch()).put((byte) (output.isUnprotected() ? 0 : 1));
        output.transmit(frame, 0, frame.length);
    }

    static long sequenceOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(0);
    }

    static long epochOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(8);
    }

    static boolean heldWhenSent(byte[] frame) {
        return frame[16] == 1;
    }
}
