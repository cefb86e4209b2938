package dev.twinstep.tools;

import dev.twinstep.core.clock.ClockMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options that shape a primary's machine, as the handshake carries them to the secondary: RAM
 * size, clock, whether COM2 exists, and the network back end as written (so the secondary can take
 * the same endpoint over). One {@code key=value} per line.
 */
record MachineOptions(long memoryBytes, ClockMode clock, boolean com2, String netdev) {
    static String encode(long memoryBytes, ClockMode clock, boolean com2, String netdev) {
        return "memory=" + memoryBytes + "\nclock=" + clock.name() + "\ncom2=" + (com2 ? 1 : 0)
                + (netdev == null ? "" : "\nnetdev=" + netdev);
    }

    /**
     * Parses {@link #encode}'s form.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    static MachineOptions decode(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        if (!values.containsKey("memory") || !values.containsKey("clock")) {
            throw new IllegalArgumentException("the primary's machine options lack memory or clock: " + values.keySet());
        }
        return new MachineOptions(Long.parseLong(values.get("memory")), ClockMode.valueOf(values.get("clock")),
                "1".equals(values.get("com2")), values.get("netdev"));
    }
}
