{#-
  Part of agent.groovy: the shapes of nodes and jobs last announced, so that
  only changes become events. A shape is what decides a worker's functions:
  a node's labels, mode, executors and online state; a job's label, state
  and declared parameters.

  Jenkins APIs: jenkins/model/Jenkins.java (getNodes, getNode, getAllItems),
  hudson/model/Node.java (getNodeName, getAssignedLabels, getMode,
  getNumExecutors, toComputer), hudson/model/Computer.java (getChannel,
  isTemporarilyOffline), hudson/model/AbstractProject.java (getAssignedLabel,
  isDisabled, isBuildable, isConcurrentBuild), hudson/model/Job.java
  (getProperty), hudson/model/ParametersDefinitionProperty.java
  (getParameterDefinitionNames).
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

    static List<AbstractProject> allJobs() {
        return Jenkins.get().getAllItems(AbstractProject)
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

    static Map jobShape(AbstractProject job) {
        ParametersDefinitionProperty declared = job.getProperty(ParametersDefinitionProperty)
        return [
            name: job.getFullName(),
            label: job.getAssignedLabel()?.getName(),
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
            allJobs().each { AbstractProject j -> jobShapes[j.getFullName()] = jobShape(j) }
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

    void refreshJob(Item item) {
        if (!(item instanceof AbstractProject)) {
            return
        }
        Map shape = jobShape(item)
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

    void jobMoved(Item item, String oldFullName) {
        if (item instanceof AbstractProject && oldFullName != item.getFullName()) {
            jobRemoved(oldFullName)
            refreshJob(item)
        }
    }
}
