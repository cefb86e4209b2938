package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotCliTest {
    /** The hello guest ends with exit status 1, as recorded against QEMU (reference/manifest.tsv). */
    private static final int HELLO_EXIT_STATUS = 1;

    @TempDir
    Path dir;

    private Path snapshotOfHello() {
        Path file = dir.resolve("hello.snap");
        CliRun run = CliRun.of("run", "--guest", "hello", "--clock", "icount", "-m", "16M",
                "--snapshot-on-exit", file.toString());
        assertEquals(HELLO_EXIT_STATUS, run.status(), run.stderr());
        assertTrue(Files.isRegularFile(file));
        return file;
    }

    @Test
    void shouldListTheSectionsOfASnapshotWrittenOnExit() {
        Path file = snapshotOfHello();

        CliRun inspect = CliRun.of("inspect", file.toString());

        assertEquals(0, inspect.status(), inspect.stderr());
        assertTrue(inspect.stdout().contains("ram=16777216"), inspect.stdout());
        assertTrue(inspect.stdout().matches("(?s).*\\ncpu +1 +\\d+\\n.*"), inspect.stdout());
        assertTrue(inspect.stdout().matches("(?s).*\\nram +1 +\\d+\\n.*"), inspect.stdout());
    }

    @Test
    void shouldRefuseToRestoreIntoAMachineWithOtherMemoryInOneLine() {
        Path file = snapshotOfHello();

        CliRun run = CliRun.of("run", "--guest", "hello", "--clock", "icount", "-m", "32M", "--restore", file.toString());

        assertEquals(ExitCodes.USAGE, run.status());
        assertEquals(1, run.stderrLines().size(), run.stderr());
        assertTrue(run.stderr().contains("different machine configuration"), run.stderr());
        assertEquals("", run.stdout(), "the guest must not run");
    }

    @Test
    void shouldRefuseACorruptedSnapshotInInspectAndRestore() throws Exception {
        Path file = snapshotOfHello();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);

        CliRun inspect = CliRun.of("inspect", file.toString());
        CliRun run = CliRun.of("run", "--guest", "hello", "--clock", "icount", "-m", "16M", "--restore", file.toString());

        assertEquals(ExitCodes.USAGE, inspect.status());
        assertTrue(inspect.stderr().contains("CRC32C"), inspect.stderr());
        assertEquals(ExitCodes.USAGE, run.status());
        assertEquals(1, run.stderrLines().size(), run.stderr());
        assertTrue(run.stderr().contains("CRC32C"), run.stderr());
    }
}
