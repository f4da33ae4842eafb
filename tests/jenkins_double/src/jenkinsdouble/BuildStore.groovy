package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.AbstractBuild
import hudson.model.Action
import hudson.model.FreeStyleBuild
import hudson.model.FreeStyleProject
import hudson.model.Job
import hudson.model.Result
import hudson.model.Run
import java.util.logging.Level
import java.util.logging.Logger
import org.jenkinsci.plugins.workflow.job.WorkflowJob
import org.jenkinsci.plugins.workflow.job.WorkflowRun

/**
 * Not a Jenkins class: a build record (freestyle or Pipeline) in jobs/NAME/builds/N/build.json beside its log
 * (Jenkins: build.xml). A build directory without build.json (the build was running and
 * never saved when the process died) is skipped, as Jenkins' RunMap skips it; a record
 * saved while running has no result and loads as ABORTED (Run.reload's default).
 */
class BuildStore {
    private static final Logger LOGGER = Logger.getLogger(BuildStore.class.getName())

    static void save(Run run) {
        List<Object> actions = new ArrayList<Object>()
        for (Action a : run.getActions()) {
            try {
                actions.add(ObjectCodec.encode(a))
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "could not persist action " + a.getClass().getName() + " of " + run, e)
            }
        }
        Map<String, Object> data = new LinkedHashMap<String, Object>()
        data.put("number", run.getNumber())
        data.put("queueId", run.getQueueId())
        data.put("timestamp", run.getTimeInMillis())
        data.put("startTime", Fields.get(run, "startTime"))
        data.put("duration", run.getDuration())
        data.put("result", run.isBuilding() || run.getResult() == null ? null : run.getResult().toString())
        data.put("description", run.getDescription())
        data.put("displayName", Fields.get(run, "displayName"))
        if (run instanceof AbstractBuild) {
            data.put("builtOn", ((AbstractBuild) run).getBuiltOnStr())
            data.put("workspace", Fields.get(run, "workspace"))
        }
        if (run instanceof WorkflowRun) {
            data.put("completed", ((WorkflowRun) run).completed)
        }
        data.put("actions", actions)
        new JsonFile(new File(run.getRootDir(), "build.json")).write(data)
    }

    static void loadAll(Job job) {
        File[] dirs = job.getBuildDir().listFiles()
        if (dirs == null) {
            return
        }
        for (File dir : dirs) {
            JsonFile f = new JsonFile(new File(dir, "build.json"))
            if (!dir.getName().matches("[0-9]+") || !f.exists()) {
                continue
            }
            try {
                job.addRun(load(job, dir, (Map) f.read()))
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "could not load " + dir, e)
            }
        }
    }

    /**
     * A freestyle build or a Pipeline run. A Pipeline run that had not completed (the process
     * died) comes back completed and ABORTED: the double cannot resume it.
     */
    private static Run load(Job job, File dir, Map data) {
        Run b
        if (job instanceof WorkflowJob) {
            b = new WorkflowRun((WorkflowJob) job, dir)
        } else {
            b = new FreeStyleBuild((FreeStyleProject) job, dir)
        }
        Fields.set(b, "queueId", ((Number) data.queueId).longValue())
        Fields.set(b, "timestamp", ((Number) data.timestamp).longValue())
        Fields.set(b, "startTime", ((Number) data.startTime).longValue())
        Fields.set(b, "duration", ((Number) data.duration).longValue())
        if (data.result != null) {
            Fields.set(b, "result", Result.fromString((String) data.result))
        }
        Fields.set(b, "description", (String) data.description)
        Fields.set(b, "displayName", (String) data.displayName)
        if (b instanceof AbstractBuild) {
            Fields.set(b, "builtOn", (String) data.builtOn)
            Fields.set(b, "workspace", (String) data.workspace)
        }
        if (b instanceof WorkflowRun) {
            ((WorkflowRun) b).completed = Boolean.TRUE
        }
        ObjectCodec codec = new ObjectCodec()
        for (Object encoded : (List) data.actions) {
            Action a = (Action) codec.decode(encoded)
            if (a != null) {
                b.getActions().add(a)
            }
        }
        if (!codec.problems.isEmpty()) {
            OldDataMonitor.report(b, codec.problems)
        }
        Fields.set(b, "state", Run.State.COMPLETED)
        b.onLoad()
        return b
    }
}
