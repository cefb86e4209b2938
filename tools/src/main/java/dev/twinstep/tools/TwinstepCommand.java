package dev.twinstep.tools;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code twinstep} command; it only dispatches to its subcommands. */
@Command(name = "twinstep", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A PC-compatible i386 full-system emulator with COLO fault tolerance.",
        synopsisSubcommandLabel = "COMMAND")
public final class TwinstepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given (try 'twinstep run --help')");
    }
}
