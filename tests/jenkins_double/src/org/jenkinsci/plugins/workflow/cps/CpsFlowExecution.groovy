package org.jenkinsci.plugins.workflow.cps

import hudson.AbortException
import hudson.EnvVars
import hudson.Launcher
import hudson.Proc
import hudson.model.ParameterDefinition
import hudson.model.ParameterValue
import hudson.model.ParametersAction
import hudson.model.ParametersDefinitionProperty
import hudson.model.Result
import hudson.model.TaskListener
import hudson.slaves.WorkspaceList
import hudson.tasks.Shell
import hudson.Util
import java.nio.charset.StandardCharsets
import java.util.concurrent.CopyOnWriteArrayList
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.CauseOfInterruption
import org.codehaus.groovy.control.CompilerConfiguration
import org.jenkinsci.plugins.workflow.flow.FlowExecution
import org.jenkinsci.plugins.workflow.flow.FlowExecutionOwner
import org.jenkinsci.plugins.workflow.job.WorkflowRun
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.jenkinsci.plugins.workflow.steps.MissingContextVariableException
import org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution

/**
 * Mirrors workflow-cps-plugin's plugin/src/main/java/org/jenkinsci/plugins/workflow/cps/CpsFlowExecution.java,
 * but it is not CPS: the script is compiled when the run starts (a compilation error fails
 * the run at once) and then runs as plain Groovy on one thread of its own ("Running
 * CpsFlowExecution[Owner[job/N:job #N]]"), blocking in each step; there is no flow graph,
 * no program state to persist, no resumption, no parallel. The log shows the steps as the
 * plugin prints them ("[Pipeline] node", "[Pipeline] { (stage)", ...). The steps (node,
 * stage, echo, sh, error) are implemented here and in ExecutorStepExecution, following
 * ExecutorStepExecution, StageStep, EchoStep, DurableTaskStep/ShellStep and ErrorStep.
 *
 * interrupt(result) stops the running step: a sh's processes are killed, a node block
 * waiting in the queue is cancelled, and the step throws FlowInterruptedException(result);
 * if no step is running, the next one throws it.
 */
class CpsFlowExecution extends FlowExecution {
    private static final Logger LOGGER = Logger.getLogger(CpsFlowExecution.class.getName())
    private static final ThreadLocal<CpsFlowExecution> CURRENT = new ThreadLocal<CpsFlowExecution>()

    private final String script
    private final boolean sandbox
    private final transient FlowExecutionOwner owner
    private transient CpsScript program
    private transient Thread thread
    private volatile boolean complete
    private volatile Result result
    private volatile Throwable causeOfFailure
    private final Object interruptLock = new Object()
    private FlowInterruptedException pendingInterrupt
    /** The node block a pending interruption is meant for; null: the whole flow. */
    private ExecutorStepExecution pendingScope
    private boolean programOver
    private final List<ExecutorStepExecution> nodes = new CopyOnWriteArrayList<ExecutorStepExecution>()
    private final List<String> stages = new CopyOnWriteArrayList<String>()

    CpsFlowExecution(String script, boolean sandbox, FlowExecutionOwner owner) {
        this.script = script
        this.sandbox = sandbox
        this.owner = owner
    }

    /** The execution whose script runs on this thread, if any (the plugin: CpsThread.current()). */
    static CpsFlowExecution current() {
        return CURRENT.get()
    }

    String getScript() {
        return script
    }

    boolean isSandbox() {
        return sandbox
    }

    FlowExecutionOwner getOwner() {
        return owner
    }

    WorkflowRun getRun() {
        return (WorkflowRun) owner.getExecutable()
    }

    TaskListener getListener() {
        return owner.getListener()
    }

    private PrintStream logger() {
        return getListener().getLogger()
    }

    boolean isComplete() {
        return complete
    }

    Result getResult() {
        return result
    }

    Throwable getCauseOfFailure() {
        return causeOfFailure
    }

    /** Compiles the script (class WorkflowScript, base class CpsScript) and starts its thread. */
    void start() throws IOException {
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.setScriptBaseClass(CpsScript.class.getName())
        GroovyShell shell = new GroovyShell(CpsFlowExecution.class.getClassLoader(), new Binding(), cc)
        program = (CpsScript) shell.parse(script, "WorkflowScript")
        program.bindExecution(this)
        thread = new Thread({ runProgram() } as Runnable, "Running " + this)
        thread.setDaemon(true)
        thread.start()
    }

    private void runProgram() {
        CURRENT.set(this)
        Result outcome = Result.SUCCESS
        Throwable failure = null
        try {
            logger().println("[Pipeline] Start of Pipeline")
            program.run()
        } catch (FlowInterruptedException e) {
            failure = e
            outcome = e.getResult()
        } catch (InterruptedException e) {
            FlowInterruptedException f = takeInterruption(null, true)
            failure = f
            outcome = f.getResult()
        } catch (Throwable t) {
            failure = t
            outcome = Result.FAILURE
        } finally {
            synchronized (interruptLock) {
                programOver = true
                pendingInterrupt = null
                Thread.interrupted()
            }
            CURRENT.remove()
            try {
                logger().println("[Pipeline] End of Pipeline")
            } catch (Exception x) {
                LOGGER.log(Level.FINE, null, x)
            }
            result = outcome
            causeOfFailure = failure
            complete = true
            try {
                getRun().onProgramEnd(outcome, failure)
            } catch (Throwable t) {
                LOGGER.log(Level.WARNING, "could not finish " + owner, t)
            }
        }
    }

    /** Stops whatever step runs now; the flow fails with a FlowInterruptedException of the result. */
    void interrupt(Result r, CauseOfInterruption... causes) {
        interrupt(null, r, causes)
    }

    /** Interrupts the script on behalf of one node block (the placeholder's executor was interrupted) or, scope null, the whole flow. */
    void interrupt(ExecutorStepExecution scope, Result r, CauseOfInterruption... causes) {
        synchronized (interruptLock) {
            if (programOver || thread == null || (scope != null && !nodes.contains(scope))) {
                return // over, not started, or that node block has ended
            }
            if (pendingInterrupt != null && pendingScope == null) {
                return // the whole flow is being stopped already
            }
            pendingInterrupt = new FlowInterruptedException(r, true, causes)
            pendingScope = scope
            thread.interrupt()
        }
    }

    /** A node block ends: an interruption meant only for it is dropped. */
    void clearInterruption(ExecutorStepExecution scope) {
        synchronized (interruptLock) {
            if (pendingInterrupt != null && pendingScope.is(scope) && scope != null) {
                pendingInterrupt = null
                pendingScope = null
                if (Thread.currentThread().is(thread)) {
                    Thread.interrupted()
                }
            }
        }
    }

    /**
     * The pending interruption, taken (and the thread's interrupt flag cleared); if none was
     * announced but the thread was interrupted, or one is required, ABORTED.
     */
    FlowInterruptedException takeInterruption(InterruptedException cause, boolean required) {
        synchronized (interruptLock) {
            FlowInterruptedException e = pendingInterrupt
            pendingInterrupt = null
            pendingScope = null
            boolean flagged = Thread.interrupted()
            if (e == null && cause instanceof FlowInterruptedException) {
                return (FlowInterruptedException) cause
            }
            if (e == null && (flagged || required || cause != null)) {
                e = new FlowInterruptedException(Result.ABORTED, true)
            }
            return e
        }
    }

    /** Before each step: throws a pending interruption. */
    void checkInterrupted() throws FlowInterruptedException {
        FlowInterruptedException e = takeInterruption(null, false)
        if (e != null) {
            throw e
        }
    }

    /** A step starts: "[Pipeline] NAME" in the log. */
    void step(String name) throws FlowInterruptedException {
        checkInterrupted()
        logger().println("[Pipeline] " + name)
    }

    // ---- block context ----------------------------------------------------------------------

    void enterNode(ExecutorStepExecution node) {
        nodes.add(node)
    }

    void exitNode(ExecutorStepExecution node) {
        nodes.remove(node)
        clearInterruption(node)
    }

    /** The innermost node block the script is in, or null. */
    ExecutorStepExecution currentNode() {
        List<ExecutorStepExecution> l = new ArrayList<ExecutorStepExecution>(nodes)
        return l.isEmpty() ? null : l.get(l.size() - 1)
    }

    /** The stages the script is in, outermost first. */
    List<String> getStages() {
        return Collections.unmodifiableList(new ArrayList<String>(stages))
    }

    /**
     * The environment a step sees (EnvironmentExpander.getEffectiveEnvironment): the
     * enclosing node block's variables, overridden by the build's environment (parameters,
     * job variables) and the values set with env.NAME = ...
     */
    EnvVars getEffectiveEnvironment() throws IOException, InterruptedException {
        WorkflowRun run = getRun()
        EnvActionImpl a = run.getAction(EnvActionImpl.class)
        EnvVars custom = a != null ? a.getEnvironment() : run.getEnvironment(getListener())
        ExecutorStepExecution n = currentNode()
        EnvVars env = n != null ? new EnvVars(n.getEnvironment()) : new EnvVars()
        env.putAll(custom)
        return env
    }

    /** ParamsVariable: all parameter values of the build, then the defaults of declared parameters it lacks. */
    Map<String, Object> getParams() {
        WorkflowRun b = getRun()
        Map<String, Object> values = new HashMap<String, Object>()
        ParametersAction action = b.getAction(ParametersAction.class)
        if (action != null) {
            for (ParameterValue v : action.getAllParameters()) {
                addValue(values, v)
            }
        }
        ParametersDefinitionProperty prop = b.getParent().getProperty(ParametersDefinitionProperty.class)
        if (prop != null) {
            for (ParameterDefinition d : prop.getParameterDefinitions()) {
                if (!values.containsKey(d.getName())) {
                    ParameterValue dv = d.getDefaultParameterValue()
                    if (dv != null) {
                        addValue(values, dv)
                    }
                }
            }
        }
        return Collections.unmodifiableMap(values)
    }

    private static void addValue(Map<String, Object> values, ParameterValue v) {
        Object value = v.getValue()
        if (value != null && !(value instanceof Serializable)) {
            return
        }
        values.put(v.getName(), value)
    }

    // ---- steps ------------------------------------------------------------------------------

    /** node(label) { ... }: waits in the queue for an executor, runs the body on it (ExecutorStep). */
    Object node(String label, Closure body) throws Exception {
        step("node")
        return new ExecutorStepExecution(this, Util.fixEmptyAndTrim(label), getStages()).run(body)
    }

    /** stage(name) { ... } (StageStep). */
    Object stage(String name, Closure body) throws Exception {
        step("stage")
        logger().println("[Pipeline] { (" + name + ")")
        stages.add(name)
        try {
            return body.call()
        } finally {
            stages.remove(stages.size() - 1)
            logger().println("[Pipeline] }")
            logger().println("[Pipeline] // stage")
        }
    }

    /** echo (EchoStep). */
    void echo(String message) throws FlowInterruptedException {
        step("echo")
        logger().println(message)
    }

    /**
     * sh (ShellStep with BourneShellScript): the script is written under WORKSPACE@tmp and
     * run in the workspace of the enclosing node block with "bash -xe" (the configured
     * shell, as freestyle's Shell; a #! line picks the interpreter), in the effective
     * environment, values passed literally ($ not expanded, as durable tasks escape them).
     * A non-zero exit fails the step ("script returned exit code N") unless returnStatus;
     * returnStdout returns the standard output instead of logging it (stderr, with the -x
     * trace, still goes to the log). Interrupting the flow kills the processes.
     */
    Object sh(String script, boolean returnStdout, boolean returnStatus) throws Exception {
        step("sh")
        if (returnStdout && returnStatus) {
            throw new IllegalArgumentException("You may not select both returnStdout and returnStatus.")
        }
        ExecutorStepExecution n = currentNode()
        if (n == null) {
            throw new MissingContextVariableException("hudson.FilePath", "sh")
        }
        File ws = n.getWorkspace()
        EnvVars env = getEffectiveEnvironment()
        ws.mkdirs()
        File controlDir = new File(WorkspaceList.tempDir(ws), "durable-" + UUID.randomUUID().toString().substring(0, 8))
        controlDir.mkdirs()
        File scriptFile = new File(controlDir, "script.sh")
        scriptFile.setText(script, StandardCharsets.UTF_8.name())
        List<String> cmd
        if (script.startsWith("#!")) {
            scriptFile.setExecutable(true)
            cmd = [scriptFile.getPath()]
        } else {
            cmd = [Shell.SHELL, "-xe", scriptFile.getPath()]
        }
        Map<String, String> escaped = new TreeMap<String, String>()
        for (Map.Entry<String, String> e : env.entrySet()) {
            escaped.put(e.getKey(), e.getValue().replace('$', '$$'))
        }
        ByteArrayOutputStream captured = returnStdout ? new ByteArrayOutputStream() : null
        TaskListener listener = getListener()
        int code
        try {
            Launcher.ProcStarter ps = new Launcher.LocalLauncher(listener).launch().cmds(cmd).envs(escaped).pwd(ws)
            if (captured != null) {
                ps.stdout(captured).stderr(listener.getLogger())
            } else {
                ps.stdout(listener)
            }
            Proc proc = ps.start()
            code = proc.join()
        } catch (InterruptedException x) {
            listener.getLogger().println("Sending interrupt signal to process")
            throw takeInterruption(x, true)
        } finally {
            controlDir.deleteDir()
        }
        if (returnStatus) {
            return code
        }
        if (code != 0) {
            if (captured != null) {
                listener.getLogger().write(captured.toByteArray())
            }
            throw new AbortException("script returned exit code " + code)
        }
        return captured != null ? new String(captured.toByteArray(), StandardCharsets.UTF_8) : null
    }

    @Override
    String toString() {
        return "CpsFlowExecution[" + owner + "]"
    }
}
