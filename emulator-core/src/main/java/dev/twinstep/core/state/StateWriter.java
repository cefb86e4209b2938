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
    default void putInts(int[] values) {
        putInt(values.length);
        for (int value : values) {
            putInt(value);
        }
    }

    /** A length-prefixed long array. */
    default void putLongs(long[] values) {
        putInt(values.length);
        for (long value : values) {
            putLong(value);
        }
    }

    /** A length-prefixed UTF-8 string. */
    default void putString(String value) {
        putBytes(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
