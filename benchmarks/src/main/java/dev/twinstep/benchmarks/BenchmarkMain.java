package dev.twinstep.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The entry point of {@code benchmarks.jar}: JMH's own command line, except that every forked JVM
 * also gets the flags every Twinstep JVM needs ({@code twinstep.jvm.flags} of the parent pom, copied
 * into this jar by the build), so they are declared in one place and no one has to remember
 * {@code -jvmArgsAppend}. Flags given with {@code -jvmArgsAppend} are kept and come after ours.
 */
public final class BenchmarkMain {
    private static final String FLAGS_RESOURCE = "dev/twinstep/benchmarks/jvm-flags.properties";

    private BenchmarkMain() {
    }

    /** Runs JMH with {@code args} as its command line. */
    public static void main(String[] args) throws IOException {
        CommandLineOptions commandLine;
        try {
            commandLine = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line:");
            System.err.println(" " + e.getMessage());
            System.exit(1);
            return;
        }
        Runner runner = new Runner(withTwinstepFlags(commandLine));
        if (commandLine.shouldHelp()) {
            commandLine.showHelp();
        } else if (commandLine.shouldList()) {
            runner.list();
        } else if (commandLine.shouldListWithParams()) {
            runner.listWithParams(commandLine);
        } else if (commandLine.shouldListProfilers()) {
            commandLine.listProfilers();
        } else if (commandLine.shouldListResultFormats()) {
            commandLine.listResultFormats();
        } else {
            run(runner);
        }
    }

    private static void run(Runner runner) {
        try {
            runner.run();
        } catch (NoBenchmarksException e) {
            System.err.println("No matching benchmarks: check the regular expression (-l lists them).");
            System.exit(1);
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    /** The command line's options with the Twinstep JVM flags put in front of any -jvmArgsAppend. */
    static Options withTwinstepFlags(CommandLineOptions commandLine) {
        List<String> append = new ArrayList<>(twinstepJvmFlags());
        Collection<String> userAppend = commandLine.getJvmArgsAppend().orElse(List.of());
        append.addAll(userAppend);
        return new OptionsBuilder().parent(commandLine).jvmArgsAppend(append.toArray(new String[0])).build();
    }

    /** The JVM flags the build recorded from the parent pom, one list element per flag. */
    public static List<String> twinstepJvmFlags() {
        Properties properties = new Properties();
        try (InputStream in = BenchmarkMain.class.getClassLoader().getResourceAsStream(FLAGS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(FLAGS_RESOURCE + " is missing: build the jar with Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + FLAGS_RESOURCE + " failed", e);
        }
        String flags = properties.getProperty("jvm.flags", "").strip();
        if (flags.contains("${")) {
            throw new IllegalStateException(FLAGS_RESOURCE + " was not filtered by the build: " + flags);
        }
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }
}
