package dev.twinstep.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest images built into Twinstep (the guest-images jar): {@code dev/twinstep/guests/NAME.elf}
 * resources, listed in {@code dev/twinstep/guests/index.txt} as {@code NAME<TAB>description} lines.
 */
public final class GuestCatalog {
    static final String RESOURCE_DIR = "dev/twinstep/guests/";
    static final String INDEX = RESOURCE_DIR + "index.txt";

    /** One built-in guest. */
    public record Entry(String name, String description) {
        /** The file name QEMU would be given ({@code -kernel NAME.elf}); it starts the guest's command line. */
        public String fileName() {
            return name + ".elf";
        }
    }

    private final ClassLoader loader;

    public GuestCatalog(ClassLoader loader) {
        this.loader = loader;
    }

    public static GuestCatalog builtIn() {
        return new GuestCatalog(GuestCatalog.class.getClassLoader());
    }

    /** Every guest in the index, in index order; empty when the index is missing. */
    public List<Entry> list() {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(INDEX)) {
            if (in == null) {
                return entries;
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] parts = trimmed.split("\\s+", 2);
                entries.add(new Entry(parts[0], parts.length > 1 ? parts[1].strip() : ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the guest index failed", e);
        }
        return entries;
    }

    /** The named guest; a {@link UsageException} naming the known ones when there is no such guest. */
    public Entry find(String name) throws UsageException {
        for (Entry entry : list()) {
            if (entry.name().equals(name)) {
                return entry;
            }
        }
        List<String> names = new ArrayList<>();
        for (Entry entry : list()) {
            names.add(entry.name());
        }
        throw new UsageException("unknown guest '" + name + "'"
                + (names.isEmpty() ? " (no built-in guests in this build)" : " (built-in guests: " + String.join(", ", names) + ")"));
    }

    /** The image bytes of {@code entry}. */
    public byte[] image(Entry entry) throws UsageException {
        try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + entry.fileName())) {
            if (in == null) {
                throw new UsageException("guest '" + entry.name() + "' is listed but its image is missing from this build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading guest image " + entry.fileName() + " failed", e);
        }
    }

    /** The listing printed by {@code twinstep guests}: one "NAME  description" line each. */
    public String listing() {
        StringBuilder out = new StringBuilder();
        int width = 0;
        for (Entry entry : list()) {
            width = Math.max(width, entry.name().length());
        }
        for (Entry entry : list()) {
            out.append(String.format("%-" + width + "s  %s", entry.name(), entry.description()).stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
