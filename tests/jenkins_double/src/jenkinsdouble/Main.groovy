package jenkinsdouble

import hudson.ExtensionList
import hudson.init.InitMilestone
import hudson.model.Computer
import hudson.model.Executor
import hudson.model.Node
import hudson.model.Queue
import hudson.model.Result
import hudson.model.TaskListener
import hudson.model.TopLevelItem
import hudson.model.listeners.ItemListener
import hudson.model.queue.QueueListener
import hudson.security.ACL
import hudson.security.ACLContext
import hudson.slaves.ComputerListener
import hudson.slaves.SlaveComputer
import hudson.util.StreamTaskListener
import java.util.concurrent.CountDownLatch
import java.util.logging.ConsoleHandler
import java.util.logging.FileHandler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import java.util.logging.SimpleFormatter
import jenkins.model.GlobalConfiguration
import jenkins.model.Jenkins
import jenkins.model.JenkinsLocationConfiguration
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
import jenkins.util.groovy.GroovyHookScript

/**
 * Not a Jenkins class: boots one Jenkins double in the foreground.
 *
 *   --home DIR  --port N (0: any free port)  --host ADDR (default 127.0.0.1)
 *   --user NAME:TOKEN[:readonly] ...  --password NAME:PW[:readonly] ...
 *   --require-crumb-for-tokens  --anonymous-read  --root-url URL
 *   --jenkins-version V (default 2.479.3: X-Jenkins, Jenkins.VERSION, and the
 *                        version-dependent behaviours listed in Versions)
 *
 * Boot follows Jenkins' (Jenkins.java: the constructor, executeReactor, loadTasks;
 * Nodes.load; GroovyInitScript; Queue.init), all as SYSTEM; see boot(). Then the HTTP
 * port opens and "Jenkins double ready at URL" is printed. SIGTERM saves the queue,
 * aborts running builds (as a Jenkins shutdown does; Pipeline runs too, which Jenkins
 * would resume after the restart) and exits.
 */
class Main {
    private static final Logger LOGGER = Logger.getLogger(Main.class.getName())

    static void main(String[] args) {
        Map<String, List<String>> opts = parse(args)
        setVersion(one(opts, "--jenkins-version", Versions.DEFAULT))
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
        Jenkins jenkins = boot(home, one(opts, "--root-url", null), security)
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

    /**
     * The impersonated version: Jenkins.VERSION, the Versions gates, and the members
     * scripts must not find: before 2.482 Computer.setTemporaryOfflineCause and
     * Node.isTemporarilyOffline, before 2.532 CauseOfBlockage.isFatal. Before any model
     * object exists.
     */
    private static void setVersion(String version) {
        Versions.set(version)
        HiddenMembers hidden = new HiddenMembers()
        if (!Versions.temporaryOfflineCauseOnNode()) {
            hidden.hide(Computer.class, "setTemporaryOfflineCause", "temporaryOfflineCause")
            hidden.hide(Node.class, "isTemporarilyOffline", "temporarilyOffline")
        }
        if (!Versions.blockedItemRenewedEachMaintenance()) {
            hidden.hide(hudson.model.queue.CauseOfBlockage.class, "isFatal", "fatal")
        }
        hidden.install()
        // Only now touch a model class: its MetaClass is made on first use, and must be the hiding one.
        Jenkins.VERSION = version
    }

    /**
     * Jenkins' boot order, as SYSTEM (the Jenkins constructor runs in ACL.as2(SYSTEM2)):
     *
     *  1. Jenkins and its queue exist (the queue's periodic maintenance runs from now on);
     *     core extensions register (Queue.Saver); users exist on disk (made before
     *     Jenkins ever started, so nobody sees those saves).
     *  2. SYSTEM_CONFIG_LOADED: global configuration, then the agents (Nodes.load), which
     *     makes every computer, the built-in node's included, with its executors
     *     (updateComputerList). Agent launches start, but no agent connects while
     *     Jenkins boots (SlaveComputer.holdLaunches).
     *  3. JOB_LOADED, JOB_CONFIG_ADAPTED: jobs with their builds.
     *  4. After JOB_CONFIG_ADAPTED, in this order (Jenkins runs these initializers
     *     concurrently, so their order there is not fixed): init.groovy.d
     *     (GroovyInitScript), the saved queue (Queue.init, which drops anything
     *     scheduled before it), then "Finalizing set up" (labels). COMPLETED.
     *  5. Jenkins.save() (SaveableListener sees the Jenkins object), updateComputerList()
     *     (ComputerListener.onConfigurationChange), the built-in node's
     *     ComputerListener.onOnline, ItemListener.onLoaded; then the held agent launches
     *     complete (each agent's onOnline) and the queue is maintained.
     *
     * So an init script sees every job and agent, computers (built-in online, agents
     * offline), an empty queue, Jenkins.getInitLevel() JOB_CONFIG_ADAPTED, and runs as
     * SYSTEM; listeners it registers hear the loaded queue items enter, the Jenkins save,
     * the built-in node and then every agent coming online.
     */
    private static Jenkins boot(File home, String rootUrl, Security security) {
        ACLContext ctx = ACL.as2(ACL.SYSTEM2)
        try {
            Jenkins jenkins = new Jenkins(home)
            jenkins.setAuthorizationStrategy(new DoubleAuthorizationStrategy(security))
            ExtensionList.lookup(QueueListener.class).add(new Queue.Saver())
            ExtensionList.lookup(GlobalConfiguration.class).add(JenkinsLocationConfiguration.get())
            ExtensionList.lookup(GlobalConfiguration.class).add(ApiTokenPropertyConfiguration.get())
            SlaveComputer.holdLaunches()
            jenkins.setInitLevel(InitMilestone.EXTENSIONS_AUGMENTED)
            ApiTokenPropertyConfiguration.get().load()
            security.provisionUsers()

            JenkinsStore.load(jenkins, rootUrl)
            Queue.withLock({
                for (Node n : NodeStore.loadAll(jenkins)) {
                    jenkins.loadNode(n)
                }
                jenkins.updateComputerList()
                jenkins.trimLabels()
            } as Runnable)
            jenkins.setInitLevel(InitMilestone.SYSTEM_CONFIG_LOADED)
            jenkins.setInitLevel(InitMilestone.SYSTEM_CONFIG_ADAPTED)

            for (TopLevelItem item : JobStore.loadAll(jenkins)) {
                jenkins.loadItem(item)
            }
            jenkins.setInitLevel(InitMilestone.JOB_LOADED)
            jenkins.setInitLevel(InitMilestone.JOB_CONFIG_ADAPTED)

            new GroovyHookScript("init", home, Main.class.getClassLoader()).run()
            Queue.init(jenkins)
            jenkins.trimLabels()
            jenkins.setInitLevel(InitMilestone.COMPLETED)

            jenkins.save()
            jenkins.updateComputerList()
            final Computer builtIn = jenkins.toComputer()
            if (builtIn != null) {
                final TaskListener listener = new StreamTaskListener(new LogOutputStream(LOGGER, "built-in node"))
                for (ComputerListener cl : ComputerListener.all()) {
                    try {
                        cl.onOnline(builtIn, listener)
                    } catch (Exception e) {
                        LOGGER.log(Level.WARNING, String.format("Exception in onOnline() for the computer listener %s on the built-in node", cl.getClass()), e)
                    }
                }
            }
            for (ItemListener l : ItemListener.all()) {
                try {
                    l.onLoaded()
                } catch (RuntimeException x) {
                    LOGGER.log(Level.WARNING, null, x)
                }
            }
            SlaveComputer.releaseLaunches()
            jenkins.getQueue().scheduleMaintenance()
            return jenkins
        } finally {
            ctx.close()
        }
    }

    /** Like Jenkins' clean shutdown: stop serving, save the queue, abort builds and let them record it. */
    private static void shutdown(Jenkins jenkins, HttpFrontEnd http) {
        // As SYSTEM, as WebAppMain.contextDestroyed runs Jenkins' cleanUp (so the queue saved is all of it).
        ACL.as2(ACL.SYSTEM2)
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
        jenkins.util.Timer.shutdown()
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
