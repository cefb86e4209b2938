package dev.twinstep.tools;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code twinstep guests}: lists the built-in guest images that {@code run --guest NAME} boots. */
@Command(name = "guests", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the built-in guest images (for run --guest NAME).")
public final class GuestsCommand implements Callable<Integer> {
    private final OutputStream stdout;
    private final GuestCatalog catalog;

    GuestsCommand(OutputStream stdout, GuestCatalog catalog) {
        this.stdout = stdout;
        this.catalog = catalog;
    }

    @Override
    public Integer call() throws Exception {
        stdout.write(catalog.listing().getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        return ExitCodes.OK;
    }
}
