package dev.twinstep.tools;

import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.serial.StreamSerialBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --serial} choice: {@code stdio} (the host's standard output), {@code file:PATH} or
 * {@code none}, as QEMU spells them. Parsing only checks the form; the file is opened by
 * {@link #open(OutputStream)} once the other inputs are known to be good.
 */
public record SerialOption(Kind kind, Path file) {
    /** Where serial output goes. */
    public enum Kind { STDIO, FILE, NONE }

    public static final SerialOption STDIO = new SerialOption(Kind.STDIO, null);

    /** Opens the back end; {@code stdout} is the process's standard output. */
    public SerialBackend open(OutputStream stdout) throws UsageException {
        switch (kind) {
            case STDIO:
                return new StreamSerialBackend(stdout, false);
            case FILE:
                try {
                    return new StreamSerialBackend(Files.newOutputStream(file), true);
                } catch (IOException | SecurityException e) {
                    throw new UsageException("cannot write serial output to '" + file + "': " + describe(e));
                }
            default:
                return SerialBackend.NONE;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** picocli converter for the option value. */
    public static final class Converter implements ITypeConverter<SerialOption> {
        @Override
        public SerialOption convert(String value) {
            if (value.equals("stdio")) {
                return STDIO;
            }
            if (value.equals("none") || value.equals("null")) {
                return new SerialOption(Kind.NONE, null);
            }
            if (value.startsWith("file:") && value.length() > "file:".length()) {
                return new SerialOption(Kind.FILE, Path.of(value.substring("file:".length())));
            }
            throw new TypeConversionException("'" + value + "' is not a serial back end (use stdio, file:PATH or none)");
        }
    }
}
