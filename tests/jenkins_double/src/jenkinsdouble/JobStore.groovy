package jenkinsdouble

import com.cloudbees.hudson.plugins.folder.AbstractFolder
import com.cloudbees.hudson.plugins.folder.Folder
import hudson.diagnosis.OldDataMonitor
import hudson.model.FreeStyleProject
import hudson.model.ItemGroup
import hudson.model.Job
import hudson.model.JobProperty
import hudson.model.Project
import hudson.model.TopLevelItem
import hudson.tasks.Builder
import java.nio.charset.StandardCharsets
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import org.jenkinsci.plugins.workflow.flow.FlowDefinition
import org.jenkinsci.plugins.workflow.job.WorkflowJob

/**
 * Not a Jenkins class: items in $JENKINS_HOME/jobs/NAME/config.json and nextBuildNumber
 * (Jenkins: config.xml and nextBuildNumber), builds through BuildStore. A folder's items
 * are in its jobs/ directory: jobs/a/jobs/b/jobs/job/config.json for "a/b/job".
 */
class JobStore {
    private static final Logger LOGGER = Logger.getLogger(JobStore.class.getName())

    static void saveConfig(TopLevelItem item) {
        if (item instanceof Project) {
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
        } else if (item instanceof WorkflowJob) {
            WorkflowJob p = (WorkflowJob) item
            new JsonFile(new File(p.getRootDir(), "config.json")).write([
                class      : p.getClass().getName(),
                description: p.getDescription(),
                displayName: p.getDisplayNameOrNull(),
                disabled   : p.isDisabled(),
                quietPeriod: Fields.get(p, "quietPeriod"),
                definition : ObjectCodec.encode(p.getDefinition()),
                properties : ObjectCodec.encode(new ArrayList<Object>(p.getAllProperties())),
            ])
        } else if (item instanceof AbstractFolder) {
            AbstractFolder f = (AbstractFolder) item
            new JsonFile(new File(f.getRootDir(), "config.json")).write([
                class      : f.getClass().getName(),
                description: f.getDescription(),
                displayName: f.getDisplayNameOrNull(),
            ])
        }
    }

    static void saveNextBuildNumber(Job job) {
        File f = new File(job.getRootDir(), "nextBuildNumber")
        f.getParentFile().mkdirs()
        f.setText(String.valueOf(job.getNextBuildNumber()) + "\n", StandardCharsets.UTF_8.name())
    }

    /** Loads every saved top-level item (folders with their items) and the jobs' finished builds. */
    static List<TopLevelItem> loadAll(Jenkins j) {
        return loadChildren(j, new File(j.getRootDir(), "jobs"))
    }

    /** The items saved under a jobs/ directory; one that cannot be read is logged and skipped. */
    private static List<TopLevelItem> loadChildren(ItemGroup parent, File jobsDir) {
        List<TopLevelItem> loaded = new ArrayList<TopLevelItem>()
        File[] dirs = jobsDir.listFiles()
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
                loaded.add(load(parent, dir.getName(), (Map) f.read()))
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "could not load " + dir, e)
            }
        }
        return loaded
    }

    private static TopLevelItem load(ItemGroup parent, String name, Map data) {
        String cls = (String) data.get("class")
        if (FreeStyleProject.class.getName().equals(cls)) {
            return loadFreeStyle(parent, name, data)
        } else if (WorkflowJob.class.getName().equals(cls)) {
            return loadWorkflowJob(parent, name, data)
        } else if (Folder.class.getName().equals(cls)) {
            return loadFolder(parent, name, data)
        }
        throw new ClassNotFoundException("the double only loads freestyle jobs, Pipeline jobs and folders, not " + cls)
    }

    private static FreeStyleProject loadFreeStyle(ItemGroup parent, String name, Map data) {
        FreeStyleProject p = new FreeStyleProject(parent, name)
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
        loadProperties(p, codec, data)
        if (!codec.problems.isEmpty()) {
            OldDataMonitor.report(p, codec.problems)
        }
        loadNextBuildNumber(p)
        BuildStore.loadAll(p)
        return p
    }

    private static WorkflowJob loadWorkflowJob(ItemGroup parent, String name, Map data) {
        WorkflowJob p = new WorkflowJob(parent, name)
        ObjectCodec codec = new ObjectCodec()
        Fields.set(p, "description", (String) data.description)
        Fields.set(p, "displayName", (String) data.displayName)
        Fields.set(p, "disabled", (boolean) data.disabled)
        Fields.set(p, "quietPeriod", (Integer) data.quietPeriod)
        Fields.set(p, "definition", (FlowDefinition) codec.decode(data.definition))
        loadProperties(p, codec, data)
        if (!codec.problems.isEmpty()) {
            OldDataMonitor.report(p, codec.problems)
        }
        loadNextBuildNumber(p)
        BuildStore.loadAll(p)
        return p
    }

    private static Folder loadFolder(ItemGroup parent, String name, Map data) {
        Folder f = new Folder(parent, name)
        Fields.set(f, "description", (String) data.description)
        Fields.set(f, "displayName", (String) data.displayName)
        for (TopLevelItem child : loadChildren(f, new File(f.getRootDir(), "jobs"))) {
            f.addLoadedChild(child, child.getName())
        }
        return f
    }

    private static void loadProperties(Job p, ObjectCodec codec, Map data) {
        for (Object prop : (List) (codec.decode(data.properties) ?: [])) {
            ((JobProperty) prop).setOwner(p)
            ((List) Fields.get(p, "properties")).add((JobProperty) prop)
        }
    }

    private static void loadNextBuildNumber(Job p) {
        File next = new File(p.getRootDir(), "nextBuildNumber")
        if (next.exists()) {
            Fields.set(p, "nextBuildNumber", Integer.parseInt(next.getText(StandardCharsets.UTF_8.name()).trim()))
        }
    }
}
