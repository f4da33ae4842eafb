package hudson.util

import hudson.model.BuildListener
import java.nio.charset.StandardCharsets

/**
 * Mirrors core/src/main/java/hudson/util/StreamTaskListener.java: a listener over a
 * stream (a build's log file, or the double's own log for listeners outside builds).
 */
class StreamTaskListener implements BuildListener {
    private final transient PrintStream out

    StreamTaskListener(OutputStream out) {
        this.out = new PrintStream(out, true, StandardCharsets.UTF_8.name())
    }

    PrintStream getLogger() {
        return out
    }

    PrintWriter error(String msg) {
        out.print("ERROR: ")
        out.println(msg)
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true)
    }

    PrintWriter fatalError(String msg) {
        out.print("FATAL: ")
        out.println(msg)
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true)
    }

    void close() {
        out.close()
    }
}
