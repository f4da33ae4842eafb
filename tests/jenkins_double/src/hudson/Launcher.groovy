package hudson

import hudson.model.TaskListener
import hudson.util.ProcessTree

/**
 * Mirrors core/src/main/java/hudson/Launcher.java (LocalLauncher): starts processes for
 * a build. The environment is the double's own environment overridden by the build's
 * variables, with $VAR references expanded (EnvVars.overrideExpandingAll), as Jenkins
 * hands them to a process.
 */
abstract class Launcher {
    protected final TaskListener listener

    protected Launcher(TaskListener listener) {
        this.listener = listener
    }

    TaskListener getListener() {
        return listener
    }

    boolean isUnix() {
        return File.pathSeparatorChar == (':' as char)
    }

    ProcStarter launch() {
        return new ProcStarter()
    }

    abstract Proc launch(ProcStarter starter) throws IOException

    /** Kills leftover processes of a finished build (Jenkins' ProcessTreeKiller). */
    void kill(Map<String, String> modelEnvVars) throws IOException, InterruptedException {
        ProcessTree.killAll(null, modelEnvVars)
    }

    /** Builder of a process launch: cmds, envs, stdout, stderr (default: with stdout), pwd, then start(). */
    class ProcStarter {
        protected List<String> commands
        protected Map<String, String> envs = new LinkedHashMap<String, String>()
        protected OutputStream stdout
        protected OutputStream stderr
        protected File pwd

        ProcStarter cmds(String... args) {
            return cmds(Arrays.asList(args))
        }

        ProcStarter cmds(List<String> args) {
            commands = new ArrayList<String>(args)
            return this
        }

        ProcStarter envs(Map<String, String> overrides) {
            envs = new LinkedHashMap<String, String>(overrides)
            return this
        }

        ProcStarter stdout(OutputStream out) {
            stdout = out
            return this
        }

        ProcStarter stdout(TaskListener out) {
            stdout = out.getLogger()
            return this
        }

        /** Where the process's error stream goes; unset, it is merged into stdout. */
        ProcStarter stderr(OutputStream err) {
            stderr = err
            return this
        }

        ProcStarter pwd(File workDir) {
            pwd = workDir
            return this
        }

        ProcStarter pwd(String workDir) {
            return pwd(new File(workDir))
        }

        Proc start() throws IOException {
            return launch(this)
        }

        int join() throws IOException, InterruptedException {
            return start().join()
        }
    }

    static class LocalLauncher extends Launcher {
        LocalLauncher(TaskListener listener) {
            super(listener)
        }

        Proc launch(ProcStarter ps) throws IOException {
            EnvVars jobEnv = new EnvVars(EnvVars.masterEnvVars)
            jobEnv.overrideExpandingAll(ps.envs)
            ProcessBuilder pb = new ProcessBuilder(ps.commands)
            pb.environment().clear()
            pb.environment().putAll(jobEnv)
            if (ps.pwd != null) {
                pb.directory(ps.pwd)
            }
            return new Proc.LocalProc(ps.commands.toString(), pb, ps.stdout != null ? ps.stdout : listener.getLogger(), ps.stderr)
        }
    }
}
