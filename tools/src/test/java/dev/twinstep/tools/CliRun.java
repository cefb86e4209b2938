package dev.twinstep.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of the real command line, with its exit status and captured output. */
record CliRun(int status, String stdout, String stderr) {

    static CliRun of(String... args) {
        return with(GuestCatalog.builtIn(), args);
    }

    static CliRun with(GuestCatalog catalog, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Main.run(args, out, errStream, catalog);
        errStream.flush();
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> stderrLines() {
        return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
    }
}
