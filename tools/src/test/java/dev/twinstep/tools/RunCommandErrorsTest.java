package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets exactly one "twinstep: error:" line on stderr, exit status 2, and nothing else. */
class RunCommandErrorsTest {
    @TempDir
    Path dir;

    private static void assertOneErrorLine(CliRun run, String expectedStart) {
        assertEquals(ExitCodes.USAGE, run.status(), run.stderr());
        assertEquals(1, run.stderrLines().size(), "exactly one line, got: " + run.stderr());
        assertTrue(run.stderr().startsWith("twinstep: error: " + expectedStart), run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void shouldRefuseAMissingKernelFile() {
        Path missing = dir.resolve("missing.elf");
        assertOneErrorLine(CliRun.of("run", "--kernel", missing.toString()),
                "kernel file '" + missing + "' does not exist");
    }

    @Test
    void shouldRefuseADirectoryAsKernel() {
        assertOneErrorLine(CliRun.of("run", "--kernel", dir.toString()), "kernel '" + dir + "' is not a regular file");
    }

    @Test
    void shouldRefuseAFileThatIsNotAKernel() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "just some text\n");
        assertOneErrorLine(CliRun.of("run", "--kernel", text.toString()),
                text + ": not an ELF or multiboot kernel image");
    }

    @Test
    void shouldRefuseAKernelWithABadChecksum() throws IOException {
        byte[] image = TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0);
        image[8] ^= 1;
        Path kernel = TinyKernel.write(dir, "bad.bin", image);
        assertOneErrorLine(CliRun.of("run", "--kernel", kernel.toString()), kernel + ": bad multiboot header checksum");
    }

    @Test
    void shouldRefuseAMemorySizeThatIsNotOne() {
        assertOneErrorLine(CliRun.of("run", "--guest", "hello", "--memory", "12X"),
                "Invalid value for option '--memory': '12X' is not a memory size");
    }

    @Test
    void shouldRefuseAMemorySizeOutOfRange() {
        assertOneErrorLine(CliRun.of("run", "--guest", "hello", "--memory", "1M"),
                "Invalid value for option '--memory': '1M' is out of range");
    }

    @Test
    void shouldRefuseMemoryTooSmallForTheKernel() throws IOException {
        Path kernel = TinyKernel.write(dir, "big.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 3 * 1024 * 1024));
        assertOneErrorLine(CliRun.of("run", "--kernel", kernel.toString(), "--memory", "2M"),
                kernel + ": guest memory is too small for this kernel");
    }

    @Test
    void shouldRefuseAnUnknownOption() {
        assertOneErrorLine(CliRun.of("run", "--guest", "hello", "--turbo"), "Unknown option: '--turbo'");
    }

    @Test
    void shouldRefuseBothKernelAndGuest() throws IOException {
        Path kernel = TinyKernel.write(dir, "k.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        assertOneErrorLine(CliRun.of("run", "--kernel", kernel.toString(), "--guest", "hello"), "");
    }

    @Test
    void shouldRefuseNeitherKernelNorGuest() {
        assertOneErrorLine(CliRun.of("run"), "Missing required argument");
    }

    @Test
    void shouldRefuseAnUnknownGuestAndNameTheKnownOnes() {
        CliRun run = CliRun.of("run", "--guest", "nosuch");
        assertOneErrorLine(run, "unknown guest 'nosuch' (built-in guests: ");
        assertTrue(run.stderr().contains("hello"), run.stderr());
    }

    @Test
    void shouldRefuseASerialBackEndItDoesNotKnow() {
        assertOneErrorLine(CliRun.of("run", "--guest", "hello", "--serial", "pty"),
                "Invalid value for option '--serial' (BACKEND): 'pty' is not a serial back end");
    }

    @Test
    void shouldRefuseASerialFileInAMissingDirectory() throws IOException {
        Path kernel = TinyKernel.write(dir, "k.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        Path out = dir.resolve("no/such/dir/serial.txt");
        assertOneErrorLine(CliRun.of("run", "--kernel", kernel.toString(), "--serial", "file:" + out),
                "cannot write serial output to '" + out + "'");
    }

    @Test
    void shouldRefuseAMissingCommand() {
        assertOneErrorLine(CliRun.of(), "no command given");
    }

    @Test
    void shouldRefuseAnUnknownCommand() {
        assertOneErrorLine(CliRun.of("fly"), "Unmatched argument at index 0: 'fly'");
    }

    @Test
    void shouldPrintAStackTraceOnlyWithDebug() {
        CliRun run = CliRun.of("run", "--debug", "--kernel", dir.resolve("missing").toString());
        assertEquals(ExitCodes.USAGE, run.status());
        assertTrue(run.stderrLines().size() > 1 && run.stderr().contains("at dev.twinstep.tools"), run.stderr());
    }

    @Test
    void shouldReportAnInternalErrorInOneLineWithStatus3() {
        GuestCatalog broken = new GuestCatalog(new ClassLoader(null) {
            @Override
            public InputStream getResourceAsStream(String name) {
                throw new IllegalStateException("resource lookup exploded");
            }

            @Override
            public URL getResource(String name) {
                return null;
            }
        });
        CliRun run = CliRun.with(broken, "run", "--guest", "hello");
        assertEquals(ExitCodes.INTERNAL, run.status());
        assertEquals(1, run.stderrLines().size(), run.stderr());
        assertEquals("twinstep: internal error: IllegalStateException: resource lookup exploded "
                + "(run with --debug for details)", run.stderrLines().get(0));
    }
}
