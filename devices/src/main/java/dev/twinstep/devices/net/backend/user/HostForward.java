package dev.twinstep.devices.net.backend.user;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One {@code hostfwd} rule of the user back end, as QEMU spells it:
 * {@code udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT}. Datagrams to HOSTADDR:HOSTPORT on the host go
 * to the guest's GUESTPORT. An empty HOSTADDR means every host address (as in QEMU); GUESTADDR, if
 * given, must be the guest's address 10.0.2.15.
 *
 * @param hostAddress where the host socket is bound
 * @param hostPort    the host port (0 lets the system choose; see the back end's bound port)
 * @param guestPort   the guest's UDP port
 */
public record HostForward(InetAddress hostAddress, int hostPort, int guestPort) {
    /**
     * Parses a rule.
     *
     * @throws IllegalArgumentException with a message for the user if the rule is malformed
     */
    public static HostForward parse(String rule) {
        String usage = "'" + rule + "': give a host forward as udp:[HOSTADDR]:HOSTPORT-[10.0.2.15]:GUESTPORT";
        if (!rule.startsWith("udp:")) {
            throw new IllegalArgumentException(rule.startsWith("tcp:")
                    ? "'" + rule + "': only udp host forwards are supported" : usage);
        }
        String[] sides = rule.substring("udp:".length()).split("-", -1);
        if (sides.length != 2) {
            throw new IllegalArgumentException(usage);
        }
        int hostColon = sides[0].lastIndexOf(':');
        int guestColon = sides[1].lastIndexOf(':');
        if (hostColon < 0 || guestColon < 0) {
            throw new IllegalArgumentException(usage);
        }
        String hostName = sides[0].substring(0, hostColon);
        String guestName = sides[1].substring(0, guestColon);
        if (!guestName.isEmpty() && !guestName.equals("10.0.2.15")) {
            throw new IllegalArgumentException("'" + rule + "': the guest's address is 10.0.2.15, not " + guestName);
        }
        int hostPort = port(sides[0].substring(hostColon + 1), rule, true);
        int guestPort = port(sides[1].substring(guestColon + 1), rule, false);
        InetAddress host;
        try {
            host = InetAddress.getByName(hostName.isEmpty() ? "0.0.0.0" : hostName);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + rule + "': unknown host address '" + hostName + "'");
        }
        return new HostForward(host, hostPort, guestPort);
    }

    private static int port(String text, String rule, boolean zeroAllowed) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("'" + rule + "': '" + text + "' is not a port number from "
                    + (zeroAllowed ? 0 : 1) + " to 65535");
        }
        return port;
    }
}
