package dev.twinstep.tools;

import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.net.backend.StreamEndpoint;
import dev.twinstep.devices.net.backend.StreamNetBackend;
import dev.twinstep.devices.net.backend.tap.TapNetBackend;
import dev.twinstep.devices.net.backend.user.HostForward;
import dev.twinstep.devices.net.backend.user.UserNetBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --netdev} choice, spelled as QEMU 7.2 spells {@code -netdev} (an {@code id=} is accepted
 * and ignored, since there is one NIC):
 * <ul>
 *   <li>{@code none}</li>
 *   <li>{@code stream,server=on|off,addr.type=inet,addr.host=HOST,addr.port=PORT}, or
 *       {@code stream,server=on|off,addr.type=unix,addr.path=PATH}</li>
 *   <li>{@code user[,hostfwd=udp:[HOSTADDR]:HOSTPORT-[10.0.2.15]:GUESTPORT]...}</li>
 *   <li>{@code tap,ifname=NAME} ({@code script=no} and {@code downscript=no} are accepted: Twinstep never
 *       runs scripts)</li>
 * </ul>
 * Parsing only checks the form; {@link #create} builds the back end and {@link #start} binds or
 * connects it, reporting a busy port or a missing peer as a {@link UsageException}.
 */
public record NetdevOption(Kind kind, String text, StreamEndpoint stream, List<HostForward> hostForwards, String ifname) {
    /** The back end kinds. */
    public enum Kind { NONE, STREAM, USER, TAP }

    /** @return a new, unstarted back end; attach it to the NIC, then {@link #start} it */
    public NetBackend create() {
        switch (kind) {
            case STREAM:
                return new StreamNetBackend(stream);
            case USER:
                return new UserNetBackend(hostForwards);
            case TAP:
                return new TapNetBackend(ifname);
            default:
                return new NoneNetBackend();
        }
    }

    /** Starts an attached back end; a bind, connect or open failure is the user's to fix. */
    public void start(NetBackend backend) throws UsageException {
        try {
            backend.start();
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (kind == Kind.STREAM) {
                reason = "cannot " + (stream.server() ? "listen on " : "connect to ") + stream.describe() + ": " + reason;
            }
            throw new UsageException("--netdev " + text + ": " + reason);
        }
    }

    /** picocli converter for the option value. */
    public static final class Converter implements ITypeConverter<NetdevOption> {
        @Override
        public NetdevOption convert(String value) {
            String[] parts = value.split(",", -1);
            switch (parts[0]) {
                case "none":
                    requireOnlyId(value, parts, "none");
                    return new NetdevOption(Kind.NONE, value, null, List.of(), null);
                case "stream":
                    return stream(value, parts);
                case "user":
                    return user(value, parts);
                case "tap":
                    return tap(value, parts);
                default:
                    throw new TypeConversionException("'" + value + "' is not a network back end (use none, "
                            + "stream,server=on|off,addr.type=inet|unix,..., user,hostfwd=udp:... or tap,ifname=NAME)");
            }
        }

        private static void requireOnlyId(String value, String[] parts, String kind) {
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].startsWith("id=")) {
                    throw unknown(value, parts[i], kind, "id");
                }
            }
        }

        private static NetdevOption stream(String value, String[] parts) {
            Boolean server = null;
            String type = null;
            String host = null;
            String port = null;
            String path = null;
            for (int i = 1; i < parts.length; i++) {
                String key = key(parts[i]);
                String setting = setting(value, parts[i]);
                switch (key) {
                    case "id":
                        break;
                    case "server":
                        server = onOff(value, key, setting);
                        break;
                    case "addr.type":
                        type = setting;
                        break;
                    case "addr.host":
                        host = setting;
                        break;
                    case "addr.port":
                        port = setting;
                        break;
                    case "addr.path":
                        path = setting;
                        break;
                    default:
                        throw unknown(value, parts[i], "stream", "id, server, addr.type, addr.host, addr.port, addr.path");
                }
            }
            boolean listen = server != null && server;
            if ("inet".equals(type)) {
                if (host == null || port == null || path != null) {
                    throw new TypeConversionException("'" + value + "': addr.type=inet needs addr.host and addr.port");
                }
                int number = portNumber(value, port);
                if (!listen && number == 0) {
                    throw new TypeConversionException("'" + value + "': a client (server=off) needs a port other than 0");
                }
                InetSocketAddress address = new InetSocketAddress(host, number);
                if (address.isUnresolved()) {
                    throw new TypeConversionException("'" + value + "': unknown host '" + host + "'");
                }
                return new NetdevOption(Kind.STREAM, value, new StreamEndpoint(listen, address), List.of(), null);
            }
            if ("unix".equals(type)) {
                if (path == null || path.isEmpty() || host != null || port != null) {
                    throw new TypeConversionException("'" + value + "': addr.type=unix needs addr.path (and no host or port)");
                }
                return new NetdevOption(Kind.STREAM, value,
                        new StreamEndpoint(listen, UnixDomainSocketAddress.of(Path.of(path))), List.of(), null);
            }
            throw new TypeConversionException("'" + value + "': give addr.type=inet (with addr.host, addr.port) "
                    + "or addr.type=unix (with addr.path)");
        }

        private static NetdevOption user(String value, String[] parts) {
            List<HostForward> forwards = new ArrayList<>();
            for (int i = 1; i < parts.length; i++) {
                String key = key(parts[i]);
                if (key.equals("id")) {
                    continue;
                }
                if (!key.equals("hostfwd")) {
                    throw unknown(value, parts[i], "user", "id, hostfwd (udp only)");
                }
                try {
                    forwards.add(HostForward.parse(setting(value, parts[i])));
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException(e.getMessage());
                }
            }
            return new NetdevOption(Kind.USER, value, null, List.copyOf(forwards), null);
        }

        private static NetdevOption tap(String value, String[] parts) {
            String ifname = null;
            for (int i = 1; i < parts.length; i++) {
                String key = key(parts[i]);
                String setting = setting(value, parts[i]);
                if (key.equals("ifname")) {
                    ifname = setting;
                } else if ((key.equals("script") || key.equals("downscript")) && setting.equals("no") || key.equals("id")) {
                    continue;
                } else {
                    throw unknown(value, parts[i], "tap", "id, ifname, script=no, downscript=no");
                }
            }
            if (ifname == null || ifname.isEmpty() || ifname.length() > 15) {
                throw new TypeConversionException("'" + value + "': give the TAP interface as ifname=NAME (1 to 15 characters)");
            }
            return new NetdevOption(Kind.TAP, value, null, List.of(), ifname);
        }

        private static String key(String part) {
            int equals = part.indexOf('=');
            return equals < 0 ? part : part.substring(0, equals);
        }

        private static String setting(String value, String part) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                throw new TypeConversionException("'" + value + "': '" + part + "' needs a value (KEY=VALUE)");
            }
            return part.substring(equals + 1);
        }

        private static boolean onOff(String value, String key, String setting) {
            switch (setting) {
                case "on":
                case "true":
                case "yes":
                    return true;
                case "off":
                case "false":
                case "no":
                    return false;
                default:
                    throw new TypeConversionException("'" + value + "': " + key + " must be on or off, not '" + setting + "'");
            }
        }

        private static int portNumber(String value, String text) {
            int port;
            try {
                port = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new TypeConversionException("'" + value + "': addr.port must be a number from 0 to 65535, not '"
                        + text + "'");
            }
            return port;
        }

        private static TypeConversionException unknown(String value, String part, String kind, String supported) {
            return new TypeConversionException("'" + value + "': unknown " + kind + " option '" + part + "' (supported: "
                    + supported + ")");
        }
    }
}
