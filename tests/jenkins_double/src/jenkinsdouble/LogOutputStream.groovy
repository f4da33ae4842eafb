package jenkinsdouble

import java.nio.charset.StandardCharsets
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Not a Jenkins class: the TaskListener output of events that happen outside a build
 * (agent connection, init scripts) goes to the double's log, one record per line,
 * as Jenkins' LogTaskListener does.
 */
class LogOutputStream extends OutputStream {
    private final Logger logger
    private final String prefix
    private final ByteArrayOutputStream line = new ByteArrayOutputStream()

    LogOutputStream(Logger logger, String prefix) {
        this.logger = logger
        this.prefix = prefix
    }

    @Override
    synchronized void write(int b) {
        if (b == ('\n' as char)) {
            flushLine()
        } else {
            line.write(b)
        }
    }

    @Override
    synchronized void flush() {
        if (line.size() > 0) {
            flushLine()
        }
    }

    private void flushLine() {
        logger.log(Level.INFO, prefix + ": " + new String(line.toByteArray(), StandardCharsets.UTF_8))
        line.reset()
    }
}
