package dev.twinstep.tools;

import dev.twinstep.core.clock.ClockMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --clock realtime|icount}. */
final class ClockOption implements ITypeConverter<ClockMode> {
    @Override
    public ClockMode convert(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "realtime":
                return ClockMode.REALTIME;
            case "icount":
                return ClockMode.ICOUNT;
            default:
                throw new TypeConversionException("'" + value + "' is not a clock (use realtime or icount)");
        }
    }
}
