package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.AbstractProject
import hudson.model.FreeStyleProject
import hudson.model.Job
import hudson.model.JobProperty
import hudson.model.Project
import hudson.model.TopLevelItem
import hudson.tasks.Builder
import java.nio.charset.StandardCharsets
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins

/**
 * Not a Jenkins class: jobs in $JENKINS_HOME/jobs/NAME/config.json and nextBuildNumber
 * (Jenkins: config.xml and nextBuildNumber), builds through BuildStore.
 */
class JobStore {
    private static final Logger LOGGER = Logger.getLogger(JobStore.class.getName())

    static void saveConfig(TopLevelItem item) {
        if (!(item instanceof Project)) {
            return
        }
        Project p = (Project) item
        new JsonFile(new File(p.getRootDir(), "config.json")).write([
            class          : p.getClass().getName(),
            description    : p.getDescription(),
            displayName    : p.getDisplayNameOrNull(),
            disabled       : p.isDisabled(),
            concurrentBuild: p.isConcurrentBuild(),
            canRoam        : Fields.get(p, "canRoam"),
            assignedNode   : Fields.get(p, "assignedNode"),
            quietPeriod    : Fields.get(p, "quietPeriod"),
            builders       : ObjectCodec.encode(new ArrayList<Object>(p.getBuildersList())),
            properties     : ObjectCodec.encode(new ArrayList<Object>(p.getAllProperties())),
        ])
    }

    static void saveNextBuildNumber(Job job) {
        File f = new File(job.getRootDir(), "nextBuildNumber")
        f.getParentFile().mkdirs()
        f.setText(String.valueOf(job.getNextBuildNumber()) + "\n", StandardCharsets.UTF_8.name())
    }

    /** Loads every saved job and its finished builds; one that cannot be read is logged and skipped. */
    static List<TopLevelItem> loadAll(Jenkins j) {
        List<TopLevelItem> loaded = new ArrayList<TopLevelItem>()
        File[] dirs = new File(j.getRootDir(), "jobs").listFiles()
        if (dirs == null) {
            return loaded
        }
        Arrays.sort(dirs)
        for (File dir : dirs) {
            JsonFile f = new JsonFile(new File(dir, "config.json"))
            if (!f.exists()) {
                continue
            }
            try {
                loaded.add(load(j, dir.getName(), (Map) f.read()))
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "could not load " + dir, e)
            }
        }
        return loaded
    }

    private static TopLevelItem load(Jenkins j, String name, Map data) {
        if (!FreeStyleProject.class.getName().equals(data.get("class"))) {
            throw new ClassNotFoundException("the double only loads " + FreeStyleProject.class.getName() + " jobs, not " + data.get("class"))
        }
        FreeStyleProject p = new FreeStyleProject(j, name)
        ObjectCodec codec = new ObjectCodec()
        Fields.set(p, "description", (String) data.description)
        Fields.set(p, "displayName", (String) data.displayName)
        Fields.set(p, "disabled", (boolean) data.disabled)
        Fields.set(p, "concurrentBuild", (boolean) data.concurrentBuild)
        Fields.set(p, "canRoam", (boolean) data.canRoam)
        Fields.set(p, "assignedNode", (String) data.assignedNode)
        Fields.set(p, "quietPeriod", (Integer) data.quietPeriod)
        for (Object b : (List) (codec.decode(data.builders) ?: [])) {
            ((List) Fields.get(p.getBuildersList(), "data")).add((Builder) b)
        }
        for (Object prop : (List) (codec.decode(data.properties) ?: [])) {
            ((JobProperty) prop).setOwner(p)
            ((List) Fields.get(p, "properties")).add((JobProperty) prop)
        }
        if (!codec.problems.isEmpty()) {
            OldDataMonitor.report(p, codec.problems)
        }
        File next = new File(p.getRootDir(), "nextBuildNumber")
        if (next.exists()) {
            Fields.set(p, "nextBuildNumber", Integer.parseInt(next.getText(StandardCharsets.UTF_8.name()).trim()))
        }
        BuildStore.loadAll(p)
        return p
    }
}
