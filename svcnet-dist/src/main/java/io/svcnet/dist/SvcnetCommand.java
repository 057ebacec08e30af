package io.svcnet.dist;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code svcnet} command: {@code svcnet up} starts an all-in-one server. */
@Command(name = "svcnet", mixinStandardHelpOptions = true, version = "svcnet 0.1.0",
        description = "Kubernetes Service networking that runs on one machine.",
        subcommands = {UpCommand.class, NodeCommand.class, DataPlaneCommand.class})
public final class SvcnetCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SvcnetCommand()).execute(args));
    }
}
