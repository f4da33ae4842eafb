package jenkinsdouble

import hudson.model.Computer
import hudson.model.Executor
import hudson.model.Node
import hudson.model.Result
import hudson.model.TopLevelItem
import java.util.concurrent.CountDownLatch
import java.util.logging.ConsoleHandler
import java.util.logging.FileHandler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import java.util.logging.SimpleFormatter
import jenkins.model.Jenkins
import jenkins.util.groovy.GroovyHookScript

/**
 * Not a Jenkins class: boots one Jenkins double in the foreground.
 *
 *   --home DIR  --port N (0: any free port)  --host ADDR (default 127.0.0.1)
 *   --user NAME:TOKEN[:readonly] ...  --password NAME:PW[:readonly] ...
 *   --require-crumb-for-tokens  --anonymous-read  --root-url URL
 *
 * Boot order follows Jenkins: settings, agents, jobs with their builds, computers
 * (agents connect), the saved queue, then $JENKINS_HOME/init.groovy.d; then the HTTP
 * port opens and "Jenkins double ready at URL" is printed. SIGTERM saves the queue,
 * aborts running builds (as a Jenkins shutdown does; Pipeline runs too, which Jenkins
 * would resume after the restart) and exits.
 */
class Main {
    private static final Logger LOGGER = Logger.getLogger(Main.class.getName())

    static void main(String[] args) {
        Map<String, List<String>> opts = parse(args)
        File home = new File(one(opts, "--home", null)).getAbsoluteFile()
        home.mkdirs()
        setUpLogging(home)
        Security security = new Security(home, opts.containsKey("--require-crumb-for-tokens"), opts.containsKey("--anonymous-read"))
        for (String spec : opts.getOrDefault("--user", [])) {
            String[] p = spec.split(":", 3)
            security.addUser(p[0], p[1], p.length < 3 || !"readonly".equals(p[2]))
        }
        for (String spec : opts.getOrDefault("--password", [])) {
            String[] p = spec.split(":", 3)
            security.addPassword(p[0], p[1], p.length < 3 || !"readonly".equals(p[2]))
        }

        long started = System.currentTimeMillis()
        Jenkins jenkins = boot(home, one(opts, "--root-url", null))
        HttpFrontEnd http = new HttpFrontEnd(jenkins, security, new ScriptConsole(Main.class.getClassLoader()),
                one(opts, "--host", "127.0.0.1"), Integer.parseInt(one(opts, "--port", "0")))
        CountDownLatch stopped = new CountDownLatch(1)
        Runtime.getRuntime().addShutdownHook(new Thread({
            shutdown(jenkins, http)
            stopped.countDown()
        } as Runnable, "Jenkins double shutdown"))
        http.start()
        LOGGER.info("booted in " + (System.currentTimeMillis() - started) + " ms")
        System.out.println("Jenkins double ready at http://" + one(opts, "--host", "127.0.0.1") + ":" + http.getPort() + "/")
        System.out.flush()
        stopped.await()
    }

    private static Jenkins boot(File home, String rootUrl) {
        Jenkins jenkins = new Jenkins(home)
        JenkinsStore.load(jenkins, rootUrl)
        for (Node n : NodeStore.loadAll(jenkins)) {
            jenkins.loadNode(n)
        }
        for (TopLevelItem item : JobStore.loadAll(jenkins)) {
            jenkins.loadItem(item)
        }
        jenkins.updateComputerList()
        jenkins.trimLabels()
        jenkins.getQueue().load()
        new GroovyHookScript("init", home, Main.class.getClassLoader()).run()
        jenkins.getQueue().scheduleMaintenance()
        return jenkins
    }

    /** Like Jenkins' clean shutdown: stop serving, save the queue, abort builds and let them record it. */
    private static void shutdown(Jenkins jenkins, HttpFrontEnd http) {
        LOGGER.info("shutting down")
        http.stop()
        jenkins.getQueue().save()
        List<Executor> busy = new ArrayList<Executor>()
        for (Computer c : jenkins.getComputers()) {
            for (Executor e : c.getAllExecutors()) {
                if (e.isBusy()) {
                    e.interrupt(Result.ABORTED)
                    busy.add(e)
                }
            }
        }
        // A Pipeline run's one-off executor and its node blocks' executors are busy without a
        // thread (AsynchronousExecution): wait until each executor is no longer active.
        long deadline = System.currentTimeMillis() + 10000
        for (Executor e : busy) {
            while (e.isActive() && System.currentTimeMillis() < deadline) {
                if (e.isAlive()) {
                    e.join(50)
                } else {
                    Thread.sleep(20)
                }
            }
        }
        jenkins.shutdown()
        LOGGER.info("stopped")
        for (java.util.logging.Handler h : Logger.getLogger("").getHandlers()) {
            h.flush()
        }
    }

    /** WARNING and up (and everything from the double's own model at INFO) to stderr and $JENKINS_HOME/double.log. */
    private static void setUpLogging(File home) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1\$tF %1\$tT.%1\$tL %4\$s %3\$s %5\$s%6\$s%n")
        Logger root = Logger.getLogger("")
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h)
        }
        SimpleFormatter formatter = new SimpleFormatter()
        ConsoleHandler console = new ConsoleHandler()
        console.setFormatter(formatter)
        console.setLevel(Level.INFO)
        root.addHandler(console)
        FileHandler file = new FileHandler(new File(home, "double.log").getPath(), true) {
            @Override
            synchronized void publish(LogRecord record) {
                super.publish(record)
                flush()
            }
        }
        file.setFormatter(formatter)
        file.setLevel(Level.INFO)
        root.addHandler(file)
        root.setLevel(Level.INFO)
    }

    private static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> opts = new LinkedHashMap<String, List<String>>()
        for (int i = 0; i < args.length; i++) {
            String a = args[i]
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a)
            }
            List<String> values = opts.get(a)
            if (values == null) {
                values = new ArrayList<String>()
                opts.put(a, values)
            }
            if (a in ["--require-crumb-for-tokens", "--anonymous-read"]) {
                continue
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value")
            }
            values.add(args[++i])
        }
        if (!opts.containsKey("--home")) {
            throw new IllegalArgumentException("--home is required")
        }
        return opts
    }

    private static String one(Map<String, List<String>> opts, String name, String fallback) {
        List<String> v = opts.get(name)
        return v == null || v.isEmpty() ? fallback : v.get(v.size() - 1)
    }
}
