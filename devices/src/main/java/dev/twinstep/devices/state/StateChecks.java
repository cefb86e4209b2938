package dev.twinstep.devices.state;

import dev.twinstep.core.state.StateFormatException;

/** Range checks shared by the devices' {@code load} methods, so a bad section fails with its field's name. */
public final class StateChecks {
    private StateChecks() {
    }

    /**
     * Returns {@code value} if it lies in {@code [min, max]}.
     *
     * @throws StateFormatException naming the section and field otherwise
     */
    public static int inRange(String section, String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new StateFormatException(section + ": " + field + " " + value + " out of range [" + min + ", "
                    + max + "]");
        }
        return value;
    }

    /** Returns {@code value} if it fits in {@code bits} unsigned bits. */
    public static int bits(String section, String field, int value, int bits) {
        return inRange(section, field, value, 0, (int) ((1L << bits) - 1));
    }

    /** Returns {@code value} if it is not negative. */
    public static long nonNegative(String section, String field, long value) {
        if (value < 0) {
            throw new StateFormatException(section + ": " + field + " " + value + " is negative");
        }
        return value;
    }

    /** Returns {@code array} if it holds exactly {@code length} elements. */
    public static byte[] length(String section, String field, byte[] array, int length) {
        if (array.length != length) {
            throw new StateFormatException(section + ": " + field + " holds " + array.length + " bytes, expected "
                    + length);
        }
        return array;
    }
}
