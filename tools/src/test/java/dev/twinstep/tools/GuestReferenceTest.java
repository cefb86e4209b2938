package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Boots every built-in guest the way a user does ({@code twinstep run --guest NAME}) and compares its
 * serial output, byte for byte, with the transcript recorded from the same image under
 * qemu-system-i386 (or Bochs, where QEMU does not model what the guest checks). The transcripts and
 * the script that records them live in guest-images/reference/.
 */
class GuestReferenceTest {
    private static final Path REFERENCE_DIR =
            Path.of("").toAbsolutePath().getParent().resolve("guest-images/reference");

    @TempDir
    Path tempDir;

    /** One row of manifest.tsv: transcript name, exit status, memory, append, recorder, image, drive. */
    record Reference(String name, String exitStatus, String memoryMiB, String append, String recorder, String image,
            String drive) {
        @Override
        public String toString() {
            return name + " (" + recorder.split(" \\(")[0] + ")";
        }
    }

    static Stream<Reference> references() throws IOException {
        List<Reference> rows = new ArrayList<>();
        for (String line : Files.readAllLines(REFERENCE_DIR.resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            rows.add(new Reference(f[0], f[1], f[2], f[3], f[4], f[5], f.length > 6 ? f[6] : "-"));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void shouldPrintWhatTheReferenceEmulatorPrinted(Reference ref) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--guest", ref.image(), "--memory", ref.memoryMiB() + "M"));
        if (!ref.append().isEmpty()) {
            args.add("--append");
            args.add(ref.append());
        }
        if (!ref.drive().equals("-")) {
            Path disk = freshReferenceDisk(ref.drive());
            args.add("--drive");
            args.add("file=" + disk + ",format=raw,if=ide,index=0");
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        String expected = Files.readString(REFERENCE_DIR.resolve(ref.name() + ".txt"), StandardCharsets.UTF_8);
        assertEquals(expected, run.stdout(), "serial output of " + ref.name() + "; stderr: " + run.stderr());
        // Bochs has no isa-debug-exit, so its transcripts carry no status: the guest still exits through 0xF4 with 0.
        int expectedStatus = ref.exitStatus().equals("-") ? 1 : Integer.parseInt(ref.exitStatus());
        assertEquals(expectedStatus, run.status(), "exit status of " + ref.name() + "; stderr: " + run.stderr());
    }

    /**
     * A new disk for a row whose drive column says {@code disk:NM}: N MiB where byte j of sector k is
     * (k + j) mod 256, except bytes 0-3, which hold k little-endian — what reference/make-disk.sh makes
     * for the QEMU run. The guests write to it, so every run needs a fresh one.
     */
    private Path freshReferenceDisk(String drive) throws IOException {
        if (!drive.matches("disk:[0-9]+M")) {
            throw new IllegalArgumentException("manifest drive column must be '-' or disk:NM, got " + drive);
        }
        int mib = Integer.parseInt(drive.substring(5, drive.length() - 1));
        Path disk = Files.createTempFile(tempDir, "reference-disk", ".img");
        byte[] sector = new byte[512];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(disk))) {
            for (int k = 0; k < mib * 2048; k++) {
                for (int j = 0; j < 512; j++) {
                    sector[j] = (byte) (k + j);
                }
                sector[0] = (byte) k;
                sector[1] = (byte) (k >>> 8);
                sector[2] = (byte) (k >>> 16);
                sector[3] = (byte) (k >>> 24);
                out.write(sector);
            }
        }
        return disk;
    }
}
