package hudson.util

import groovy.transform.CompileStatic
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Paths
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/hudson/util/ProcessTree.java on Linux: finds a process's
 * descendants and every process whose environment carries given variables (so children
 * that re-parented themselves are found too), and kills them: SIGTERM, a grace period
 * (Jenkins' softKillWaitSeconds), then SIGKILL.
 */
@CompileStatic
class ProcessTree {
    private static final Logger LOGGER = Logger.getLogger(ProcessTree.class.getName())
    private static final long SOFT_KILL_WAIT_MS = 5000L

    /** Kills the process, its descendants, and any process whose environment contains modelEnvVars. */
    static void killAll(Process proc, Map<String, String> modelEnvVars) {
        Set<ProcessHandle> victims = new LinkedHashSet<ProcessHandle>()
        if (proc != null) {
            ProcessHandle root = proc.toHandle()
            victims.addAll((List<ProcessHandle>) root.descendants().collect(java.util.stream.Collectors.toList()))
            victims.add(root)
        }
        if (modelEnvVars != null && !modelEnvVars.isEmpty()) {
            victims.addAll(withEnvironment(modelEnvVars))
        }
        kill(victims)
    }

    /** Every live process of this user whose environment has all the given pairs. */
    static List<ProcessHandle> withEnvironment(Map<String, String> modelEnvVars) {
        List<ProcessHandle> found = new ArrayList<ProcessHandle>()
        long self = ((ProcessHandle) staticCall("current")).pid()
        for (ProcessHandle p : (List<ProcessHandle>) ((java.util.stream.Stream) staticCall("allProcesses")).collect(java.util.stream.Collectors.toList())) {
            if (p.pid() == self) {
                continue
            }
            Map<String, String> env = environmentOf(p.pid())
            boolean all = !env.isEmpty()
            for (Map.Entry<String, String> e : modelEnvVars.entrySet()) {
                if (!e.getValue().equals(env.get(e.getKey()))) {
                    all = false
                    break
                }
            }
            if (all) {
                found.add(p)
            }
        }
        return found
    }

    /**
     * Groovy 2.4 writes pre-Java-8 bytecode, which cannot call a static method of an
     * interface such as ProcessHandle.current(); reflection can.
     */
    private static Object staticCall(String method) {
        return ProcessHandle.class.getMethod(method).invoke(null)
    }

    private static Map<String, String> environmentOf(long pid) {
        Map<String, String> env = new HashMap<String, String>()
        try {
            byte[] raw = Files.readAllBytes(Paths.get("/proc/" + pid + "/environ"))
            for (String entry : new String(raw, StandardCharsets.UTF_8).split("\u0000")) {
                int eq = entry.indexOf('=')
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1))
                }
            }
        } catch (IOException ignored) {
            // the process is gone or not ours: nothing to match, as Jenkins' ProcessTree skips it
        }
        return env
    }

    private static void kill(Collection<ProcessHandle> victims) {
        for (ProcessHandle p : victims) {
            if (p.isAlive()) {
                LOGGER.log(Level.FINE, "killing pid {0}", p.pid())
                p.destroy()
            }
        }
        long deadline = System.currentTimeMillis() + SOFT_KILL_WAIT_MS
        for (ProcessHandle p : victims) {
            while (p.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20)
            }
            if (p.isAlive()) {
                p.destroyForcibly()
            }
        }
    }
}
