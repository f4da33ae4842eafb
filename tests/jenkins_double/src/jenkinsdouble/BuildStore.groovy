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

/**
 * Not a Jenkins class: a build record in jobs/NAME/builds/N/build.json beside its log
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
        data.put("actions", actions)
        new JsonFile(new File(run.getRootDir(), "build.json")).write(data)
    }

    static void loadAll(FreeStyleProject job) {
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

    private static FreeStyleBuild load(FreeStyleProject job, File dir, Map data) {
        FreeStyleBuild b = new FreeStyleBuild(job, dir)
        Fields.set(b, "queueId", ((Number) data.queueId).longValue())
        Fields.set(b, "timestamp", ((Number) data.timestamp).longValue())
        Fields.set(b, "startTime", ((Number) data.startTime).longValue())
        Fields.set(b, "duration", ((Number) data.duration).longValue())
        if (data.result != null) {
            Fields.set(b, "result", Result.fromString((String) data.result))
        }
        Fields.set(b, "description", (String) data.description)
        Fields.set(b, "displayName", (String) data.displayName)
        Fields.set(b, "builtOn", (String) data.builtOn)
        Fields.set(b, "workspace", (String) data.workspace)
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
