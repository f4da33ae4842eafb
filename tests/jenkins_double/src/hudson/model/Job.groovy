package hudson.model

import hudson.EnvVars
import java.util.concurrent.ConcurrentSkipListMap
import jenkins.model.Jenkins
import jenkinsdouble.JobStore

/**
 * Mirrors core/src/main/java/hudson/model/Job.java: a job's builds and build numbers,
 * properties, and the estimated duration computed from recent builds.
 */
abstract class Job<JobT extends Job, RunT extends Run> extends AbstractItem {
    protected transient volatile int nextBuildNumber = 1
    protected final List<JobProperty> properties = new java.util.concurrent.CopyOnWriteArrayList<JobProperty>()
    /** Builds by number, newest first (Jenkins: RunMap). */
    protected final transient ConcurrentSkipListMap<Integer, RunT> runs = new ConcurrentSkipListMap<Integer, RunT>(Collections.reverseOrder())

    protected Job(ItemGroup parent, String name) {
        super(parent, name)
    }

    int getNextBuildNumber() {
        return nextBuildNumber
    }

    /** Takes the next number and saves the counter at once (nextBuildNumber file). */
    synchronized int assignBuildNumber() throws IOException {
        int r = nextBuildNumber++
        saveNextBuildNumber()
        return r
    }

    /** Raises the next number; ignored unless greater than the last build's number. */
    synchronized void updateNextBuildNumber(int next) throws IOException {
        RunT lb = getLastBuild()
        if (lb != null ? next > lb.getNumber() : next > 0) {
            this.nextBuildNumber = next
            saveNextBuildNumber()
        }
    }

    protected void saveNextBuildNumber() throws IOException {
        JobStore.saveNextBuildNumber(this)
    }

    boolean isBuilding() {
        RunT b = getLastBuild()
        return b != null && b.isBuilding()
    }

    boolean isLogUpdated() {
        RunT b = getLastBuild()
        return b != null && b.isLogUpdated()
    }

    boolean isInQueue() {
        return false
    }

    Queue.Item getQueueItem() {
        return null
    }

    public <T extends JobProperty> T getProperty(Class<T> clazz) {
        for (JobProperty p : properties) {
            if (clazz.isInstance(p)) {
                return clazz.cast(p)
            }
        }
        return null
    }

    List<JobProperty> getAllProperties() {
        return Collections.unmodifiableList(new ArrayList<JobProperty>(properties))
    }

    void addProperty(JobProperty jobProp) throws IOException {
        ((JobProperty) jobProp).setOwner(this)
        properties.add(jobProp)
        save()
    }

    public <T extends JobProperty> T removeProperty(Class<T> clazz) throws IOException {
        for (JobProperty p : properties) {
            if (clazz.isInstance(p)) {
                properties.remove(p)
                save()
                return clazz.cast(p)
            }
        }
        return null
    }

    RunT getBuildByNumber(int n) {
        return runs.get(n)
    }

    RunT getBuild(String id) {
        try {
            return getBuildByNumber(Integer.parseInt(id))
        } catch (NumberFormatException ignored) {
            return null
        }
    }

    /** Newest first, as Jenkins' RunList. */
    List<RunT> getBuilds() {
        return Collections.unmodifiableList(new ArrayList<RunT>(runs.values()))
    }

    SortedMap<Integer, RunT> getBuildsAsMap() {
        return Collections.unmodifiableSortedMap(new TreeMap<Integer, RunT>(runs))
    }

    RunT getLastBuild() {
        Map.Entry<Integer, RunT> e = runs.firstEntry()
        return e == null ? null : e.getValue()
    }

    RunT getFirstBuild() {
        Map.Entry<Integer, RunT> e = runs.lastEntry()
        return e == null ? null : e.getValue()
    }

    RunT getLastCompletedBuild() {
        for (RunT r : runs.values()) {
            if (!r.isBuilding()) {
                return r
            }
        }
        return null
    }

    RunT getLastSuccessfulBuild() {
        for (RunT r : runs.values()) {
            if (!r.isBuilding() && r.getResult() != null && r.getResult().isBetterOrEqualTo(Result.UNSTABLE)) {
                return r
            }
        }
        return null
    }

    RunT getLastFailedBuild() {
        for (RunT r : runs.values()) {
            if (!r.isBuilding() && r.getResult() == Result.FAILURE) {
                return r
            }
        }
        return null
    }

    /** Called by Run.delete (Jenkins: removeRun). */
    void removeRun(RunT run) {
        runs.remove(run.getNumber())
    }

    /** Adds a run created or loaded for this job (Jenkins: RunMap.put). */
    void addRun(RunT run) {
        runs.put(run.getNumber(), run)
    }

    /**
     * Mean duration of up to 3 recent builds, SUCCESS/UNSTABLE first then FAILURE ones
     * (Jenkins' LazyBuildMixIn candidates); -1 when there are none or all took 0 ms.
     */
    long getEstimatedDuration() {
        List<RunT> candidates = new ArrayList<RunT>()
        List<RunT> failureCandidates = new ArrayList<RunT>()
        for (RunT build : runs.values()) {
            if (candidates.size() >= 3) {
                break
            }
            if (!build.isBuilding() && build.getResult() != null) {
                Result result = build.getResult()
                if (result.isBetterOrEqualTo(Result.UNSTABLE)) {
                    candidates.add(build)
                } else if (result.isBetterOrEqualTo(Result.FAILURE) && failureCandidates.size() < 3) {
                    failureCandidates.add(build)
                }
            }
        }
        Iterator<RunT> it = failureCandidates.iterator()
        while (candidates.size() < 3 && it.hasNext()) {
            candidates.add(it.next())
        }
        if (candidates.isEmpty()) {
            return -1
        }
        long totalDuration = 0
        for (RunT b : candidates) {
            totalDuration += b.getDuration()
        }
        return totalDuration == 0 ? -1 : Math.round((double) totalDuration / candidates.size())
    }

    File getBuildDir() {
        return new File(getRootDir(), "builds")
    }

    /** Jenkins' public Job.renameTo: also moves the build records. */
    @Override
    void renameTo(String newName) throws IOException {
        super.renameTo(newName)
    }

    EnvVars getCharacteristicEnvVars() {
        EnvVars env = new EnvVars()
        String cookie = jenkinsdouble.Security.secret(Jenkins.get().getRootDir(), "serverCookie")
        env.put("JENKINS_SERVER_COOKIE", cookie)
        env.put("HUDSON_SERVER_COOKIE", cookie)
        env.put("JOB_NAME", getFullName())
        env.put("JOB_BASE_NAME", getName())
        return env
    }

    /** Job-level variables (CoreEnvironmentContributor.buildEnvironmentFor(Job)). */
    EnvVars getEnvironment(Node node, TaskListener listener) {
        EnvVars env = new EnvVars()
        env.put("CI", "true")
        Jenkins jenkins = Jenkins.get()
        String rootUrl = jenkins.getRootUrl()
        if (rootUrl != null) {
            env.put("JENKINS_URL", rootUrl)
            env.put("HUDSON_URL", rootUrl)
            env.put("JOB_URL", rootUrl + getUrl())
        }
        String root = jenkins.getRootDir().getPath()
        env.put("JENKINS_HOME", root)
        env.put("HUDSON_HOME", root)
        Thread t = Thread.currentThread()
        if (t instanceof Executor) {
            Executor e = (Executor) t
            env.put("EXECUTOR_NUMBER", String.valueOf(e.getNumber()))
            if (e.getOwner() instanceof Jenkins.MasterComputer) {
                env.put("NODE_NAME", jenkins.getSelfLabel().getName())
            } else {
                env.put("NODE_NAME", e.getOwner().getName())
            }
            Node n = e.getOwner().getNode()
            if (n != null) {
                List<String> labels = new ArrayList<String>()
                for (hudson.model.labels.LabelAtom a : n.getAssignedLabels()) {
                    labels.add(a.toString())
                }
                env.put("NODE_LABELS", String.join(" ", labels))
            }
        }
        env.putAll(getCharacteristicEnvVars())
        return env
    }
}
