package dev.twinstep.core.state;

/** Typed, positional output of one section. Implementations are the snapshot and checkpoint streams. */
public interface StateWriter {
    void putBoolean(boolean value);

    void putByte(int value);

    void putInt(int value);

    void putLong(long value);

    /** A length-prefixed byte array. */
    void putBytes(byte[] value, int offset, int length);

    default void putBytes(byte[] value) {
        putBytes(value, 0, value.length);
    }

    /** A length-prefixed int array. */
    void putInts(int[] values);

    /** A length-prefixed long array. */
    void putLongs(long[] values);

    /** A length-prefixed UTF-8 string. */
    void putString(String value);
}
