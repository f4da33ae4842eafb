package jenkins.util.groovy

import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/jenkins/util/groovy/GroovyHookScript.java as
 * hudson/init/impl/GroovyInitScript.java uses it at boot: $JENKINS_HOME/HOOK.groovy, then
 * HOOK.groovy.d/*.groovy in name order, each in a new GroovyShell with an empty binding
 * and no default imports. A failing script is logged; the others still run.
 */
class GroovyHookScript {
    private static final Logger LOGGER = Logger.getLogger(GroovyHookScript.class.getName())

    private final String hook
    private final Binding bindings = new Binding()
    private final File rootDir
    private final ClassLoader loader

    GroovyHookScript(String hook, File jenkinsHome, ClassLoader loader) {
        this.hook = hook
        this.rootDir = jenkinsHome
        this.loader = loader
    }

    GroovyHookScript bind(String name, Object o) {
        bindings.setProperty(name, o)
        return this
    }

    Binding getBindings() {
        return bindings
    }

    void run() {
        execute(new File(rootDir, hook + ".groovy"))
        File scriptD = new File(rootDir, hook + ".groovy.d")
        if (scriptD.isDirectory()) {
            File[] scripts = scriptD.listFiles({ File f -> f.getName().endsWith(".groovy") } as FileFilter)
            if (scripts != null) {
                Arrays.sort(scripts)
                for (File f : scripts) {
                    execute(f)
                }
            }
        }
    }

    protected void execute(File f) {
        if (!f.exists()) {
            return
        }
        LOGGER.info("Executing " + f)
        try {
            new GroovyShell(loader, bindings).evaluate(f)
        } catch (Exception x) {
            LOGGER.log(Level.WARNING, "Failed to run script " + f.getName(), x)
        }
    }
}
