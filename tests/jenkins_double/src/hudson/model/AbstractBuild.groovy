package hudson.model

import hudson.EnvVars
import hudson.Launcher
import hudson.remoting.ChannelClosedException
import hudson.slaves.OfflineCause
import hudson.slaves.WorkspaceList
import hudson.tasks.Builder
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/AbstractBuild.java: a build that runs on a
 * node, in a workspace (workspace@2, @3... when a concurrent build holds it), with its
 * parameters as build variables. After the steps, leftover processes carrying the
 * build's characteristic variables are killed, as Jenkins' ProcessTreeKiller does.
 */
abstract class AbstractBuild<P extends AbstractProject, R extends AbstractBuild> extends Run<P, R> implements Queue.Executable {
    private static final Logger LOGGER = Logger.getLogger(AbstractBuild.class.getName())

    protected volatile String builtOn
    protected volatile String workspace
    private transient volatile BuildLauncher launcher
    // Set when the agent's channel closes, even before the launcher exists.
    private transient volatile String channelLostMessage

    protected AbstractBuild(P job) throws IOException {
        super(job)
    }

    protected AbstractBuild(P project, File buildDir) throws IOException {
        super(project, buildDir)
    }

    P getProject() {
        return getParent()
    }

    /** The project (also the Queue.Executable's SubTask). */
    @Override
    P getParent() {
        return (P) super.getParent()
    }

    /** The node it ran on; Jenkins itself for "" (built-in). */
    Node getBuiltOn() {
        if (builtOn == null || builtOn.equals("")) {
            return Jenkins.get()
        }
        return Jenkins.get().getNode(builtOn)
    }

    String getBuiltOnStr() {
        return builtOn
    }

    File getWorkspace() {
        return workspace == null ? null : new File(workspace)
    }

    /** Parameter values by name, unexpanded (Jenkins: from each value's variable resolver). */
    Map<String, String> getBuildVariables() {
        Map<String, String> r = new HashMap<String, String>()
        ParametersAction parameters = getAction(ParametersAction.class)
        if (parameters != null) {
            for (ParameterValue p : parameters) {
                String v = p.createVariableResolver(this).resolve(p.getName())
                if (v != null) {
                    r.put(p.getName(), v)
                }
            }
        }
        return r
    }

    @Override
    EnvVars getEnvironment(TaskListener log) throws IOException, InterruptedException {
        EnvVars env = super.getEnvironment(log)
        File ws = getWorkspace()
        if (ws != null) {
            env.put("WORKSPACE", ws.getPath())
            env.put("WORKSPACE_TMP", ws.getPath() + "@tmp")
        }
        for (EnvironmentContributingAction a : getActions(EnvironmentContributingAction.class)) {
            a.buildEnvironment(this, env)
        }
        EnvVars.resolve(env)
        return env
    }

    void run() {
        execute()
    }

    /** Decides the node and workspace, runs the builders in order until one fails. */
    @Override
    protected Result doRun(BuildListener listener) throws Exception {
        Node node = Executor.currentExecutor().getOwner().getNode()
        builtOn = node.getNodeName()
        PrintStream log = listener.getLogger()
        if (!Jenkins.get().getNodes().isEmpty()) {
            if (node instanceof Jenkins) {
                log.print("Building on the built-in node")
            } else {
                log.print("Building remotely on " + node.getDisplayName())
                Set<String> labels = new TreeSet<String>()
                for (hudson.model.labels.LabelAtom a : node.getAssignedLabels()) {
                    if (!a.equals(node.getSelfLabel())) {
                        labels.add(a.getName())
                    }
                }
                if (!labels.isEmpty()) {
                    log.print(" (" + String.join(" ", labels) + ")")
                }
            }
        } else {
            log.print("Building")
        }
        WorkspaceList.Lease lease = WorkspaceList.get().allocate(node.getWorkspaceFor((TopLevelItem) getParent()))
        String ws = lease.path.getPath()
        workspace = ws
        log.println(" in workspace " + ws)
        launcher = new BuildLauncher(listener, node)
        if (channelLostMessage != null) {
            launcher.closeChannel(channelLostMessage)
        }
        try {
            for (Builder bs : ((Project) getParent()).getBuilders()) {
                if (!perform(bs, listener)) {
                    return Result.FAILURE
                }
            }
            return Result.SUCCESS
        } finally {
            if (node.toComputer() != null && node.toComputer().isOnline()) {
                launcher.kill(getCharacteristicEnvVars())
            }
            lease.release()
        }
    }

    private boolean perform(Builder bs, BuildListener listener) throws InterruptedException, IOException {
        boolean canContinue = false
        try {
            canContinue = bs.perform(this, launcher, listener)
        } catch (ChannelClosedException e) {
            reportBrokenChannel(listener)
        } catch (RuntimeException ex) {
            ex.printStackTrace(listener.error("Build step failed with exception"))
        }
        if (!canContinue) {
            listener.getLogger().println("Build step '" + bs.getDisplayName() + "' marked build as failure")
        }
        return canContinue
    }

    private void reportBrokenChannel(BuildListener listener) {
        listener.getLogger().println("Agent went offline during the build")
        Computer c = getBuiltOn()?.toComputer()
        OfflineCause offlineCause = c == null ? null : c.getOfflineCause()
        if (offlineCause != null) {
            listener.error(offlineCause.toString())
        }
    }

    /** The agent this build runs on lost its connection: the running step fails (SlaveComputer calls it). */
    void channelLost(Computer computer) {
        channelLostMessage = "Channel \"" + computer.getName() + "\": Remote call on " + computer.getName() + " failed. The channel is closing down or has closed down"
        BuildLauncher l = launcher
        if (l != null) {
            l.closeChannel(channelLostMessage)
        }
    }

    /**
     * The LocalLauncher of one build, which also stands for its channel to the agent:
     * once closed, the running process is killed and join() and later launches fail
     * with ChannelClosedException, as remote calls do in Jenkins.
     */
    private static class BuildLauncher extends Launcher.LocalLauncher {
        private final Node node
        private volatile String closedMessage
        private volatile hudson.Proc current

        BuildLauncher(TaskListener listener, Node node) {
            super(listener)
            this.node = node
        }

        @Override
        hudson.Proc launch(Launcher.ProcStarter ps) throws IOException {
            if (closedMessage != null) {
                throw new ChannelClosedException(closedMessage)
            }
            listener.getLogger().println("[" + (ps.pwd == null ? "" : ps.pwd.getName()) + "] \$ " + String.join(" ", ps.commands))
            final hudson.Proc proc = super.launch(ps)
            current = proc
            if (closedMessage != null) {
                // The channel closed while the process was starting: closeChannel saw no process to kill.
                proc.kill()
                throw new ChannelClosedException(closedMessage)
            }
            final BuildLauncher self = this
            return new hudson.Proc() {
                int join() throws IOException, InterruptedException {
                    int r = proc.join()
                    if (self.closedMessage != null) {
                        throw new ChannelClosedException(self.closedMessage)
                    }
                    return r
                }

                void kill() throws IOException, InterruptedException {
                    proc.kill()
                }
            }
        }

        void closeChannel(String message) {
            closedMessage = message
            hudson.Proc p = current
            if (p != null) {
                try {
                    p.kill()
                } catch (Exception e) {
                    LOGGER.log(Level.WARNING, "could not kill the processes of a build on " + node.getNodeName(), e)
                }
            }
        }
    }
}
