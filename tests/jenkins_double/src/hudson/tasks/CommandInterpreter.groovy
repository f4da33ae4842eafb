package hudson.tasks

import hudson.EnvVars
import hudson.Launcher
import hudson.Proc
import hudson.model.AbstractBuild
import hudson.model.BuildListener
import java.nio.charset.StandardCharsets

/**
 * Mirrors core/src/main/java/hudson/tasks/CommandInterpreter.java: writes the command
 * to a script file in the workspace and runs it with the build's environment plus its
 * build variables (raw parameter values, unexpanded). Exit 0 succeeds; a failure to
 * start the process (for example an environment string over Linux's 128 KiB limit)
 * is reported as "command execution failed" and fails the step, as in Jenkins.
 */
abstract class CommandInterpreter extends Builder {
    protected final String command

    CommandInterpreter(String command) {
        this.command = command
    }

    final String getCommand() {
        return command
    }

    boolean perform(AbstractBuild build, Launcher launcher, BuildListener listener) throws InterruptedException {
        File ws = build.getWorkspace()
        File script = null
        int r = -1
        try {
            try {
                ws.mkdirs()
                script = File.createTempFile("jenkins", getFileExtension(), ws)
                script.setText(getContents(), StandardCharsets.UTF_8.name())
            } catch (IOException e) {
                e.printStackTrace(listener.fatalError("Unable to produce a script file"))
                return false
            }
            try {
                EnvVars envVars = build.getEnvironment(listener)
                for (Map.Entry<String, String> e : build.getBuildVariables().entrySet()) {
                    envVars.put(e.getKey(), e.getValue())
                }
                Proc proc = launcher.launch().cmds(buildCommandLine(script)).envs(envVars).stdout(listener).pwd(ws).start()
                r = proc.join()
            } catch (IOException e) {
                e.printStackTrace(listener.fatalError("command execution failed"))
            }
            return r == 0
        } finally {
            if (script != null) {
                script.delete()
            }
        }
    }

    abstract String[] buildCommandLine(File script)

    protected abstract String getContents()

    protected abstract String getFileExtension()
}
