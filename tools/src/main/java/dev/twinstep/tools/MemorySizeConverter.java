package dev.twinstep.tools;

import dev.twinstep.core.memory.GuestMemory;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a guest memory size the way QEMU's {@code -m} does: a number with an optional suffix K, M, G
 * (powers of 1024, either case, an optional trailing B); a plain number means MiB.
 */
public final class MemorySizeConverter implements ITypeConverter<Long> {
    private static final long KIB = 1024;

    @Override
    public Long convert(String text) {
        return parse(text);
    }

    /** The size in bytes; throws {@link TypeConversionException} with a one-line reason. */
    public static long parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && Character.isLetter(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = KIB * KIB;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = KIB;
                case 'M' -> unit = KIB * KIB;
                case 'G' -> unit = KIB * KIB * KIB;
                default -> unit = 0;
            }
            if (unit != 0) {
                s = s.substring(0, s.length() - 1);
            } else {
                unit = KIB * KIB;
            }
        }
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 9) {
            throw new TypeConversionException("'" + text + "' is not a memory size (examples: 128M, 1G, 512 = 512 MiB)");
        }
        long bytes = Long.parseLong(s) * unit;
        if (bytes % GuestMemory.PAGE_SIZE != 0) {
            throw new TypeConversionException("'" + text + "' is not a multiple of 4 KiB");
        }
        if (bytes < GuestMemory.MIN_RAM_BYTES || bytes > GuestMemory.MAX_RAM_BYTES) {
            throw new TypeConversionException("'" + text + "' is out of range: guest memory must be between "
                    + (GuestMemory.MIN_RAM_BYTES >> 20) + "M and " + (GuestMemory.MAX_RAM_BYTES >> 20) + "M");
        }
        return bytes;
    }
}
