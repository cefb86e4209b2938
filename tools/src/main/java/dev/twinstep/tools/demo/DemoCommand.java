package dev.twinstep.tools.demo;

import dev.twinstep.tools.VersionProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code twinstep demo}: the product's demonstrations; {@code failover} is the one there is. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Demonstrations that run several twinstep processes and report what happened.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private DemoCommand() {
    }

    /** The {@code demo} command with its subcommands, writing to the given streams. */
    public static CommandLine commandLine(OutputStream stdout, PrintStream stderr) {
        CommandLine demo = new CommandLine(new DemoCommand());
        demo.addSubcommand("failover", new FailoverDemoCommand(stdout, stderr));
        return demo;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "name a demo: twinstep demo failover");
    }
}
