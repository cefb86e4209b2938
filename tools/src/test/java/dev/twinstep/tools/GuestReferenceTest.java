package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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

    /** One row of manifest.tsv: transcript name, exit status, memory, append, recorder, image. */
    record Reference(String name, String exitStatus, String memoryMiB, String append, String recorder, String image) {
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
            rows.add(new Reference(f[0], f[1], f[2], f[3], f[4], f[5]));
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
        CliRun run = CliRun.of(args.toArray(String[]::new));
        String expected = Files.readString(REFERENCE_DIR.resolve(ref.name() + ".txt"), StandardCharsets.UTF_8);
        assertEquals(expected, run.stdout(), "serial output of " + ref.name() + "; stderr: " + run.stderr());
        // Bochs has no isa-debug-exit, so its transcripts carry no status: the guest still exits through 0xF4 with 0.
        int expectedStatus = ref.exitStatus().equals("-") ? 1 : Integer.parseInt(ref.exitStatus());
        assertEquals(expectedStatus, run.status(), "exit status of " + ref.name() + "; stderr: " + run.stderr());
    }
}
