package hudson

import hudson.util.ProcessTree
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/hudson/Proc.java (LocalProc): a started process whose
 * output is pumped to the build log. Each process gets a HUDSON_COOKIE variable; on
 * interrupt, join() kills the whole tree (and anything carrying the cookie) and
 * rethrows, which is how an aborted build stops its shell.
 */
abstract class Proc {
    abstract int join() throws IOException, InterruptedException

    abstract void kill() throws IOException, InterruptedException

    static final class LocalProc extends Proc {
        private static final Logger LOGGER = Logger.getLogger(Proc.class.getName())
        private final Process proc
        private final Thread copier
        private final Thread errCopier
        private final EnvVars cookie

        LocalProc(String name, ProcessBuilder procBuilder, final OutputStream out) throws IOException {
            this(name, procBuilder, out, null)
        }

        /** err null: the error stream is merged into out. */
        LocalProc(String name, ProcessBuilder procBuilder, final OutputStream out, final OutputStream err) throws IOException {
            this.cookie = EnvVars.createCookie()
            procBuilder.environment().putAll(cookie)
            procBuilder.redirectErrorStream(err == null)
            if (procBuilder.directory() != null && !procBuilder.directory().exists()) {
                throw new IOException(String.format("Process working directory '%s' doesn't exist!", procBuilder.directory().getAbsolutePath()))
            }
            this.proc = procBuilder.start()
            proc.getOutputStream().close()
            this.copier = pump(name + ": stdout copier", proc.getInputStream(), out)
            this.errCopier = err == null ? null : pump(name + ": stderr copier", proc.getErrorStream(), err)
        }

        private static Thread pump(final String name, final InputStream from, final OutputStream to) {
            Thread t = new Thread({
                try {
                    byte[] buf = new byte[8192]
                    int n
                    while ((n = from.read(buf)) >= 0) {
                        to.write(buf, 0, n)
                        to.flush()
                    }
                } catch (IOException e) {
                    LOGGER.log(Level.FINE, name + " stopped", e)
                }
            } as Runnable, name)
            t.setDaemon(true)
            t.start()
            return t
        }

        int join() throws IOException, InterruptedException {
            try {
                int r = proc.waitFor()
                copier.join(10000)
                if (errCopier != null) {
                    errCopier.join(10000)
                }
                return r
            } catch (InterruptedException e) {
                kill()
                throw e
            }
        }

        void kill() throws IOException, InterruptedException {
            ProcessTree.killAll(proc, cookie)
        }
    }
}
