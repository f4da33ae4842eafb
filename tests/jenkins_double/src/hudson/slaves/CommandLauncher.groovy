package hudson.slaves

/**
 * Mirrors hudson/slaves/CommandLauncher.java of the command-launcher plugin (split from
 * core in 2.86; python-jenkins' create_node uses it by default): an agent started by a
 * command on the controller. The double runs no command; the agent is online at once,
 * like every agent of the double.
 */
class CommandLauncher extends ComputerLauncher {
    /** The plugin that carries this class, as XStream names it in config.xml. */
    static final String PLUGIN = "command-launcher"

    private final String agentCommand

    CommandLauncher(String command) {
        this.agentCommand = command
    }

    String getCommand() {
        return agentCommand
    }
}
