package dev.twinstep.tools;

import dev.twinstep.tools.demo.DemoCommand;
import dev.twinstep.tools.kv.KvClientCommand;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code twinstep} command. Bad input gets exactly one "twinstep: error:" line on
 * stderr and exit status 2; an unexpected failure gets one "twinstep: internal error:" line and exit
 * status 3. Stack traces appear only with {@code --debug}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err, GuestCatalog.builtIn());
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs the command line with the given streams and returns the process exit status. */
    public static int run(String[] args, OutputStream stdout, PrintStream stderr) {
        return run(args, stdout, stderr, GuestCatalog.builtIn());
    }

    /**
     * As {@link #run(String[], OutputStream, PrintStream)}, with the built-in guests taken from
     * {@code catalog} and no standard input for the guest's serial line.
     */
    static int run(String[] args, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        return run(args, null, stdout, stderr, catalog);
    }

    /** The full form: {@code stdin} (or null) becomes the input of a {@code --serial stdio} line. */
    static int run(String[] args, InputStream stdin, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        try {
            return commandLine(stdin, stdout, stderr, catalog).execute(args);
        } catch (Throwable error) { // picocli passes Errors (StackOverflowError, OutOfMemoryError) through
            printError(stderr, "internal error", error.toString() + (hasDebug(args) ? "" : " (run with --debug for details)"));
            if (hasDebug(args)) {
                error.printStackTrace(stderr);
            }
            return ExitCodes.INTERNAL;
        }
    }

    /** The configured picocli command tree (exposed for tests, which pass their own streams). */
    static CommandLine commandLine(InputStream stdin, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        CommandLine commandLine = new CommandLine(new TwinstepCommand());
        commandLine.addSubcommand("run", new RunCommand(stdin, stdout, stderr, catalog));
        commandLine.addSubcommand("primary", new PrimaryCommand(stdin, stdout, stderr, catalog));
        commandLine.addSubcommand("secondary", new SecondaryCommand(stdin, stdout, stderr, catalog));
        commandLine.addSubcommand("guests", new GuestsCommand(stdout, catalog));
        commandLine.addSubcommand("inspect", new InspectCommand(stdout));
        commandLine.addSubcommand("kv-client", new KvClientCommand(stdout, stderr));
        commandLine.addSubcommand("demo", DemoCommand.commandLine(stdout, stderr));
        commandLine.setOut(new PrintWriter(new java.io.OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new java.io.OutputStreamWriter(stderr, StandardCharsets.UTF_8), true));
        commandLine.setParameterExceptionHandler(parameterErrors(stderr));
        commandLine.setExecutionExceptionHandler(executionErrors(stderr));
        return commandLine;
    }

    private static IParameterExceptionHandler parameterErrors(PrintStream stderr) {
        return (exception, args) -> {
            printError(stderr, "error", exception.getMessage());
            if (hasDebug(args)) {
                exception.printStackTrace(stderr);
            }
            return ExitCodes.USAGE;
        };
    }

    private static IExecutionExceptionHandler executionErrors(PrintStream stderr) {
        return (exception, commandLine, parseResult) -> {
            boolean debug = debugRequested(parseResult);
            int status;
            if (exception instanceof UsageException) {
                printError(stderr, "error", exception.getMessage());
                status = ExitCodes.USAGE;
            } else {
                printError(stderr, "internal error", exception.getClass().getSimpleName()
                        + (exception.getMessage() == null ? "" : ": " + exception.getMessage())
                        + (debug ? "" : " (run with --debug for details)"));
                status = ExitCodes.INTERNAL;
            }
            if (debug) {
                exception.printStackTrace(stderr);
            }
            stderr.flush();
            return status;
        };
    }

    /** Prints one line: whatever the message holds, newlines are folded so the report stays one line. */
    private static void printError(PrintStream stderr, String kind, String message) {
        String oneLine = (message == null ? "" : message).strip().replaceAll("\\s*\\R\\s*", "; ");
        if (oneLine.startsWith("Error: ")) {
            oneLine = oneLine.substring("Error: ".length()); // picocli's own prefix; ours says it already
        }
        stderr.println("twinstep: " + kind + ": " + oneLine);
        stderr.flush();
    }

    private static boolean debugRequested(ParseResult parseResult) {
        for (CommandLine command : parseResult.asCommandLineList()) {
            ParseResult result = command.getParseResult();
            if (result != null && result.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDebug(String[] args) {
        for (String arg : args) {
            if (arg.equals("--debug")) {
                return true;
            }
        }
        return false;
    }
}
