package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.devices.serial.Uart16550;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts {@code twinstep} as a real process (the shaded jar when it is built, else the module's
 * classpath) and checks what a shell would see: exit status, stdout and stderr.
 */
@Timeout(120)
class ProcessTest {
    @TempDir
    Path dir;

    private record Outcome(int status, String stdout, String stderr) {
    }

    private static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow"); // else the JVM warns on stderr
        }
        Path jar = shadedJar();
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
        }
        return command;
    }

    /**
     * target-X/twinstep.jar beside target-X/test-classes, if a package build made it and it is not older
     * than the compiled classes (the test phase runs before this build's shade step, so a jar left by
     * an earlier build may be stale; then the classpath is used instead).
     */
    private static Path shadedJar() {
        try {
            Path testClasses = Path.of(ProcessTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path jar = testClasses.getParent().resolve("twinstep.jar");
            if (!Files.isRegularFile(jar)) {
                return null;
            }
            long jarTime = Files.getLastModifiedTime(jar).toMillis();
            for (Class<?> fromModule : new Class<?>[] {Main.class, Machine.class, Uart16550.class}) {
                Path classes = Path.of(fromModule.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (!Files.isDirectory(classes) || newerThan(classes, jarTime)) {
                    return null;
                }
            }
            return jar;
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean newerThan(Path dir, long millis) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> f.toFile().lastModified() > millis);
        }
    }

    private Outcome twinstep(String... args) throws IOException, InterruptedException {
        List<String> command = javaCommand();
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(process.waitFor(100, TimeUnit.SECONDS), "twinstep did not finish");
        return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void shouldExitWithStatus2AndOneLineForAMissingKernel() throws Exception {
        Outcome outcome = twinstep("run", "--kernel", dir.resolve("absent.elf").toString());
        assertEquals(2, outcome.status());
        assertEquals("twinstep: error: kernel file '" + dir.resolve("absent.elf") + "' does not exist\n", outcome.stderr());
        assertEquals("", outcome.stdout());
    }

    @Test
    void shouldRunATinyKernelAndExitWithTheGuestsStatus() throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        Outcome outcome = twinstep("run", "--kernel", kernel.toString());
        assertEquals("OK\n", outcome.stdout());
        assertEquals("", outcome.stderr());
        assertEquals(1, outcome.status());
    }
}
