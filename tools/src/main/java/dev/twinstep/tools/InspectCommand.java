package dev.twinstep.tools;

import dev.twinstep.core.state.Snapshot;
import dev.twinstep.core.state.StateFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code twinstep inspect FILE}: prints a snapshot's header and its sections with versions and sizes. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Verify a snapshot file and list its header, sections, versions and sizes.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A snapshot written by run --snapshot-on-exit or the control socket.")
    Path file;

    private final OutputStream stdout;

    InspectCommand(OutputStream stdout) {
        this.stdout = stdout;
    }

    @Override
    public Integer call() throws Exception {
        Snapshot snapshot;
        try {
            if (!Files.isRegularFile(file)) {
                throw new UsageException(file + ": cannot read: not a regular file");
            }
            try (FileChannel channel = FileChannel.open(file)) { // verified in place, never loaded whole
                snapshot = Snapshot.read(channel);
            }
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        } catch (StateFormatException e) {
            throw new UsageException(file + ": " + e.getMessage());
        }
        StringBuilder text = new StringBuilder();
        text.append("file: ").append(file).append('\n');
        text.append("format: twinstep snapshot version ").append(snapshot.formatVersion())
                .append(", ").append(snapshot.sizeBytes()).append(" bytes, CRC32C ok\n");
        text.append("machine: ").append(snapshot.fingerprint()).append('\n');
        text.append(String.format("%-20s %8s %12s%n", "SECTION", "VERSION", "BYTES"));
        for (Snapshot.Section section : snapshot.sections()) {
            text.append(String.format("%-20s %8d %12d%n", section.name(), section.version(), section.length()));
        }
        stdout.write(text.toString().getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        return ExitCodes.OK;
    }
}
