{#-
  Part of agent.groovy: the shapes of nodes and jobs last announced, so that
  only changes become events. A shape is what decides a worker's functions:
  a node's labels, mode, executors and online state; a job's kind (freestyle-
  style project or Pipeline), label, state and declared parameters. Jobs are
  named by full name ("folder/sub/job"), wherever they are in the item tree.

  Whether a job in a folder is buildable is the job's to say (isBuildable):
  since 2.547 a Pipeline's also asks a parent that is a BuildableItem (a
  disabled multibranch project or organization folder); a plain Folder is never
  disabled (cloudbees-folder AbstractFolder.isDisabled). So a folder that
  changes has the jobs inside it looked at again.

  Jenkins APIs: jenkins/model/Jenkins.java (getNodes, getNode, getAllItems),
  hudson/model/Items.java (getAllItems(ItemGroup, Class)), hudson/model/Node.java
  (getNodeName, getAssignedLabels, getMode, getNumExecutors, toComputer),
  hudson/model/Computer.java (getChannel, isTemporarilyOffline),
  hudson/model/AbstractProject.java (getAssignedLabel, isDisabled, isBuildable,
  isConcurrentBuild), jenkins/model/ParameterizedJobMixIn.java (ParameterizedJob:
  isDisabled, isBuildable), hudson/model/Job.java (getProperty, getFullName),
  hudson/model/ParametersDefinitionProperty.java (getParameterDefinitionNames),
  hudson/security/ACL.java (as2).
  Plugin APIs: workflow-job-plugin WorkflowJob.java (isDisabled, isBuildable,
  isConcurrentBuild; its getAssignedLabel is the built-in node's, where the run
  itself goes, so it is not reported).
-#}
class GearmanJenkinsShapes {
    static final long NODE_SCAN_DELAY_MS = 200L

    private final GearmanJenkinsEventLog events
    private final GearmanJenkinsStats stats
    private final Closure nodeUnavailable
    private final Object lock = new Object()
    private final Map<String, Map> nodeShapes = [:]
    private final Map<String, Map> jobShapes = [:]
    private boolean nodeScanScheduled = false

    GearmanJenkinsShapes(GearmanJenkinsEventLog events, GearmanJenkinsStats stats, Closure nodeUnavailable) {
        this.events = events
        this.stats = stats
        this.nodeUnavailable = nodeUnavailable
    }

    static List<Node> allNodes() {
        return [Jenkins.get()] + Jenkins.get().getNodes()
    }

    static Node nodeNamed(String name) {
        return name == '' ? Jenkins.get() : Jenkins.get().getNode(name)
    }

    /** The jobs gearman-jenkins dispatches: freestyle-style projects and Pipelines, in folders too. */
    static List<Job> allJobs() {
        return Jenkins.get().getAllItems(Job).findAll { dispatchable(it) != null } as List
    }

    /** The item as a job gearman-jenkins dispatches, else null. */
    static Job dispatchable(Object item) {
        return item instanceof AbstractProject || GearmanJenkinsPipelines.isPipeline(item) ? (Job) item : null
    }

    static Map nodeShape(Node node) {
        Computer computer = node.toComputer()
        return [
            name: node.getNodeName(),
            labels: node.getAssignedLabels().collect { it.getName() }.sort(),
            mode: node.getMode().name(),
            executors: node.getNumExecutors(),
            // Connected, whatever the temporary offline mark says (Computer.isOffline() folds both).
            online: computer != null && computer.getChannel() != null,
            temporarily_offline: computer != null && computer.isTemporarilyOffline(),
        ]
    }

    static Map jobShape(Job job) {
        ParametersDefinitionProperty declared = job.getProperty(ParametersDefinitionProperty)
        boolean pipeline = GearmanJenkinsPipelines.isPipeline(job)
        return [
            name: job.getFullName(),
            kind: pipeline ? 'pipeline' : 'freestyle',
            label: pipeline ? null : job.getAssignedLabel()?.getName(),
            disabled: job.isDisabled(),
            buildable: job.isBuildable(),
            concurrent: job.isConcurrentBuild(),
            parameters: declared == null ? [] : declared.getParameterDefinitionNames().sort(false),
        ]
    }

    /** Takes the current shapes as known, without events (the agent's start). */
    void snapshot() {
        synchronized (lock) {
            allNodes().each { Node n -> nodeShapes[n.getNodeName()] = nodeShape(n) }
            allJobs().each { Job j -> jobShapes[j.getFullName()] = jobShape(j) }
        }
    }

    List<Map> nodes() {
        return allNodes().collect { nodeShape(it) }
    }

    List<Map> jobs() {
        return allJobs().collect { jobShape(it) }
    }

    void refreshNode(Node node) {
        stats.count('node_refreshes')
        Map shape = nodeShape(node)
        boolean changed
        synchronized (lock) {
            changed = nodeShapes[shape.name] != shape
            nodeShapes[shape.name] = shape
        }
        if (changed) {
            events.emit('node', [node: shape])
            if (!shape.online || shape.temporarily_offline) {
                nodeUnavailable.call(shape.name)
            }
        }
    }

    void nodeRemoved(String name) {
        boolean known
        synchronized (lock) {
            known = nodeShapes.remove(name) != null
        }
        if (known) {
            events.emit('node_removed', [name: name])
        }
        nodeUnavailable.call(name)
    }

    /**
     * The computer list changed without naming a node (executor counts, setNodes):
     * compare every node once, shortly, however many such changes come meanwhile.
     */
    void nodesMayHaveChanged(Timer timer) {
        synchronized (lock) {
            if (nodeScanScheduled) {
                return
            }
            nodeScanScheduled = true
        }
        try {
            timer.schedule(new GearmanJenkinsTask('node scan', { scanNodesNow() }), NODE_SCAN_DELAY_MS)
        } catch (Exception e) {
            // The timer is cancelled (the agent is stopping): no scan will come.
            synchronized (lock) {
                nodeScanScheduled = false
            }
        }
    }

    private void scanNodesNow() {
        synchronized (lock) {
            nodeScanScheduled = false
        }
        scanNodes()
    }

    void scanNodes() {
        stats.count('node_scans')
        Set<String> present = [] as Set
        allNodes().each { Node n ->
            present << n.getNodeName()
            refreshNode(n)
        }
        List<String> gone
        synchronized (lock) {
            // findAll on a key set answers a Set: copy it into the List this variable is.
            gone = new ArrayList<String>(nodeShapes.keySet().findAll { !present.contains(it) })
        }
        gone.each { nodeRemoved(it) }
    }

    /** A job changed; a folder's change may change whether the jobs inside it are buildable. */
    void refreshJob(Item item) {
        Job job = dispatchable(item)
        if (job != null) {
            refreshOne(job)
        } else if (item instanceof ItemGroup) {
            // A listener runs as whoever made the change, who may not see every item inside.
            def context = hudson.security.ACL.as2(hudson.security.ACL.SYSTEM2)
            try {
                Items.getAllItems((ItemGroup) item, Job).each { Job inside ->
                    if (dispatchable(inside) != null) {
                        refreshOne(inside)
                    }
                }
            } finally {
                context.close()
            }
        }
    }

    private void refreshOne(Job job) {
        Map shape = jobShape(job)
        boolean changed
        synchronized (lock) {
            changed = jobShapes[shape.name] != shape
            jobShapes[shape.name] = shape
        }
        if (changed) {
            events.emit('job', [job: shape])
        }
    }

    void jobRemoved(String fullName) {
        boolean known
        synchronized (lock) {
            known = jobShapes.remove(fullName) != null
        }
        if (known) {
            events.emit('job_removed', [name: fullName])
        }
    }

    /** A job was renamed or moved (ItemListener tells of every job inside a moved folder too). */
    void jobMoved(Item item, String oldFullName) {
        Job job = dispatchable(item)
        if (job != null && oldFullName != job.getFullName()) {
            jobRemoved(oldFullName)
            refreshOne(job)
        }
    }
}
