package dev.twinstep.core.cpu.vectors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checked-in list of forms allowed to fail, each with how many of its tests may fail and why:
 * lines of {@code FORM COUNT reason}; {@code #} starts a comment.
 */
final class KnownFailures {
    static final String RESOURCE = "/vectors/known-failures.txt";

    private final Map<String, Integer> allowedFailures;
    private final Map<String, String> reasons;

    private KnownFailures(Map<String, Integer> allowedFailures, Map<String, String> reasons) {
        this.allowedFailures = allowedFailures;
        this.reasons = reasons;
    }

    static KnownFailures load() {
        Map<String, Integer> allowed = new TreeMap<>();
        Map<String, String> reasons = new TreeMap<>();
        InputStream in = KnownFailures.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("test resource " + RESOURCE + " is missing");
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] fields = text.split("\\s+", 3);
                if (fields.length < 3) {
                    throw new IllegalStateException(RESOURCE + " line " + number + ": want FORM COUNT reason, got: " + line);
                }
                allowed.put(fields[0], Integer.parseInt(fields[1]));
                reasons.put(fields[0], fields[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KnownFailures(Collections.unmodifiableMap(allowed), Collections.unmodifiableMap(reasons));
    }

    /** How many tests of {@code form} may fail (0 for a form not listed). */
    int allowed(String form) {
        return allowedFailures.getOrDefault(form, 0);
    }

    String reason(String form) {
        return reasons.getOrDefault(form, "");
    }

    Map<String, Integer> all() {
        return allowedFailures;
    }
}
