package jenkinsdouble

import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

/**
 * Not a Jenkins class: runs one script-console script exactly as Jenkins'
 * RemotingDiagnostics.Script.call() does (core/src/main/java/hudson/util/RemotingDiagnostics.java):
 * a new GroovyShell (so a new GroovyClassLoader) per script, star imports of jenkins,
 * jenkins.model, hudson and hudson.model, `out` bound to a PrintWriter, the output
 * buffered; "Result: <value>" appended when the value is not null; a Throwable's stack
 * trace printed into the output.
 */
class ScriptConsole {
    private final ClassLoader loader

    ScriptConsole(ClassLoader loader) {
        this.loader = loader
    }

    String execute(String script) {
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.addCompilationCustomizers(new ImportCustomizer().addStarImports("jenkins", "jenkins.model", "hudson", "hudson.model"))
        GroovyShell shell = new GroovyShell(loader, new Binding(), cc)
        StringWriter out = new StringWriter()
        PrintWriter pw = new PrintWriter(out)
        shell.setVariable("out", pw)
        try {
            Object output = shell.evaluate(script)
            if (output != null) {
                pw.println("Result: " + output)
            }
        } catch (Throwable t) {
            t.printStackTrace(pw)
        }
        pw.flush()
        return out.toString()
    }
}
