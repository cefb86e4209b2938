package dev.twinstep.tools;

import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.serial.SocketSerialBackend;
import dev.twinstep.devices.serial.StreamSerialBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One {@code --serial} choice, as QEMU spells it: {@code stdio} (the host's standard output, and its
 * standard input as the guest's input), {@code file:PATH}, {@code tcp:HOST:PORT} (connect) or
 * {@code tcp:HOST:PORT,server} (wait for one connection), or {@code none}. Parsing only checks the
 * form; the back end is opened by {@link #open} once the other inputs are known to be good.
 */
public record SerialOption(Kind kind, Path file, String host, int port, boolean server) {
    /** Where serial output goes. */
    public enum Kind { STDIO, FILE, TCP, NONE }

    public static final SerialOption STDIO = new SerialOption(Kind.STDIO, null, null, 0, false);
    /** No back end: output is dropped, nothing arrives. */
    public static final SerialOption NONE = new SerialOption(Kind.NONE, null, null, 0, false);

    /**
     * Opens the back end.
     *
     * @param stdout the process's standard output
     * @param stdin  the process's standard input, or null when the guest gets no input from it
     * @param notes  where to say that a server waits for its connection
     */
    public SerialBackend open(OutputStream stdout, InputStream stdin, PrintStream notes) throws UsageException {
        switch (kind) {
            case STDIO:
                return new StreamSerialBackend(stdout, false, stdin);
            case FILE:
                try {
                    return new StreamSerialBackend(Files.newOutputStream(file), true);
                } catch (IOException | SecurityException e) {
                    throw new UsageException("cannot write serial output to '" + file + "': " + describe(e));
                }
            case TCP:
                try {
                    if (server) {
                        return SocketSerialBackend.serve(host, port, bound -> {
                            notes.println("twinstep: serial: waiting for a connection on " + host + ":" + bound);
                            notes.flush();
                        });
                    }
                    return SocketSerialBackend.connect(host, port);
                } catch (IOException | SecurityException e) {
                    throw new UsageException("cannot " + (server ? "listen on" : "connect to") + " " + host + ":" + port
                            + " for the serial line: " + describe(e));
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
                return new SerialOption(Kind.NONE, null, null, 0, false);
            }
            if (value.startsWith("file:") && value.length() > "file:".length()) {
                return new SerialOption(Kind.FILE, Path.of(value.substring("file:".length())), null, 0, false);
            }
            if (value.startsWith("tcp:")) {
                return tcp(value);
            }
            throw new TypeConversionException("'" + value
                    + "' is not a serial back end (use stdio, file:PATH, tcp:HOST:PORT[,server] or none)");
        }

        private static SerialOption tcp(String value) {
            String[] parts = value.substring("tcp:".length()).split(",");
            String address = parts[0];
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw new TypeConversionException("'" + value + "': give the address as tcp:HOST:PORT");
            }
            String host = colon == 0 ? "127.0.0.1" : address.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new TypeConversionException("'" + value + "': the port must be a number from 0 to 65535");
            }
            boolean server = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "server":
                    case "server=on":
                        server = true;
                        break;
                    case "server=off":
                    case "wait":
                    case "wait=on":
                        break;
                    default:
                        throw new TypeConversionException("'" + value + "': unknown serial option '" + parts[i]
                                + "' (supported: server; a server always waits for its connection)");
                }
            }
            if (!server && port == 0) {
                throw new TypeConversionException("'" + value + "': a client needs a port other than 0");
            }
            return new SerialOption(Kind.TCP, null, host, port, server);
        }
    }
}
