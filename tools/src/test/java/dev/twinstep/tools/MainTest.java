package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** The command line used as a user would: help, version, listing guests, and booting kernels. */
class MainTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldPrintTheVersion() {
        CliRun run = CliRun.of("--version");
        assertEquals(0, run.status());
        assertTrue(Pattern.matches("twinstep \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .+\\)\n", run.stdout()), run.stdout());
    }

    @Test
    void shouldPrintUsageOfRunWithEveryOption() {
        CliRun run = CliRun.of("run", "--help");
        assertEquals(0, run.status());
        for (String option : new String[] {"--kernel", "--guest", "--memory", "--serial", "--append", "--stats", "--debug"}) {
            assertTrue(run.stdout().contains(option), option + " missing from:\n" + run.stdout());
        }
        assertEquals("", run.stderr());
    }

    @Test
    void shouldListTheBuiltInGuestsFromTheIndex() {
        CliRun listed = CliRun.of("guests");
        assertEquals(0, listed.status());
        assertTrue(listed.stdout().startsWith("hello "), listed.stdout());
        assertEquals(GuestCatalog.builtIn().list().size(), listed.stdout().split("\n").length);
        assertEquals(listed, CliRun.of("run", "--guest", "list"));
    }

    @Test
    void shouldParseMemorySizesLikeQemu() {
        assertEquals(128 * MIB, MemorySizeConverter.parse("128M"));
        assertEquals(128 * MIB, MemorySizeConverter.parse("128"));
        assertEquals(1024 * MIB, MemorySizeConverter.parse("1G"));
        assertEquals(1024 * MIB, MemorySizeConverter.parse("1g"));
        assertEquals(4 * MIB, MemorySizeConverter.parse("4096K"));
        assertEquals(64 * MIB, MemorySizeConverter.parse("64MiB"));
        assertEquals(64 * MIB, MemorySizeConverter.parse("64MB"));
        for (String bad : new String[] {"12X", "", "M", "-5M", "1.5G", "4G", "1M", "2049M", "3001K"}) {
            assertThrows(TypeConversionException.class, () -> MemorySizeConverter.parse(bad), bad);
        }
    }

    @Test
    void shouldBootATinyKernelPrintItsOutputAndExitWithItsStatus() throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        CliRun run = CliRun.of("run", "--kernel", kernel.toString());
        assertEquals("OK\n", run.stdout());
        assertEquals("", run.stderr(), "nothing of its own unless asked");
        assertEquals(1, run.status());
    }

    @Test
    void shouldWriteSerialOutputToAFileAndPrintStatsWhenAsked() throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        Path serial = dir.resolve("com1.txt");
        CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--serial", "file:" + serial, "--stats");
        assertEquals(1, run.status());
        assertEquals("", run.stdout());
        assertEquals("OK\n", Files.readString(serial));
        assertTrue(Pattern.compile("^twinstep: instructions \\d+, wall time [\\d.]+ s, [\\d.]+ MIPS$", Pattern.MULTILINE)
                .matcher(run.stderr()).find(), run.stderr());
    }

    @Test
    void shouldExitWithStatusZeroWhenTheGuestJustHalts() throws Exception {
        Path kernel = TinyKernel.write(dir, "halt.bin", TinyKernel.image(new byte[] {(byte) 0xFA, (byte) 0xF4}, 0));
        CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--serial", "none");
        assertEquals(0, run.status());
        assertEquals("", run.stderr());
        CliRun debug = CliRun.of("run", "--kernel", kernel.toString(), "--debug");
        assertTrue(debug.stderr().contains("guest halted with interrupts disabled at 0008:"), debug.stderr());
    }

    @Test
    void shouldShowTheBootDetailsWithDebug() throws IOException {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--debug", "--append", "a=1");
        assertTrue(run.stderr().startsWith("twinstep: booting " + kernel + ": entry 0x00100020"), run.stderr());
        assertTrue(run.stderr().contains("cmdline \"" + kernel + " a=1\""), run.stderr());
    }
}
