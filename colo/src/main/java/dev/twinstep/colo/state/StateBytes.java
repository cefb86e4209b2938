package dev.twinstep.colo.state;

import java.io.ByteArrayOutputStream;

/** A reusable byte sink whose array is read in place (no copy per epoch). */
final class StateBytes extends ByteArrayOutputStream {
    StateBytes() {
        super(1 << 16);
    }

    /** The backing array; valid up to {@link #size()}. */
    byte[] array() {
        return buf;
    }
}
