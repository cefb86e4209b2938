package dev.twinstep.core.state;

/**
 * Typed, positional input of one section, mirroring {@link StateWriter}. Reading past the section's
 * end or a length that does not fit raises {@link StateFormatException}.
 */
public interface StateReader {
    boolean getBoolean();

    int getByte();

    int getInt();

    long getLong();

    byte[] getBytes();

    int[] getInts();

    long[] getLongs();

    String getString();

    /** Bytes left in this section. */
    int remaining();
}
