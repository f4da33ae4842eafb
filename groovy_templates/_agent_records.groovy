{#-
  Part of agent.groovy: the master's record of Gearman builds, by uuid (the
  Gearman unique id): queued, running, finished and cancelled ones, so that
  a controller that restarts (or a standby one) learns which unique ids have
  already run here, and a re-delivered job starts nothing.

  What makes a build a Gearman build is what only the agent sets: the queue
  item it scheduled, carrying both GEARMAN_UUID and Cause.RemoteCause
  ("gearman", uuid). A copy (the Rebuild plugin, a Parameterized Trigger
  passing on the parameters, a matrix child) may carry the parameter, even
  the cause, but never the agent's queue item: it is not the uuid's build.

  Retention: finished and cancelled records are kept for `age_ms` and at most
  `limit` of them (oldest first out); queued and running ones until they
  finish. The record lives in memory and passes to the next agent on an
  upgrade; an agent that starts without one (a master that restarted, a first
  install) rebuilds it from Jenkins' own queue and builds of the retention
  period, on a thread of its own, and says `complete` once done.

  Jenkins APIs: hudson/model/Actionable.java (getAction), ParametersAction.java
  (getParameter), CauseAction.java (getCauses), Cause.java (RemoteCause getAddr,
  getNote), Run.java (getQueueId, getNumber, getStartTimeInMillis, getDuration,
  isBuilding, getResult, getUrl, getExecutor), AbstractBuild.java (getBuiltOn,
  getBuiltOnStr: a Pipeline run has neither), Job.java (getBuilds: newest first,
  loaded lazily), Queue.java (getItems).
-#}
class GearmanJenkinsRecords {
    static final String UUID_PARAMETER = 'GEARMAN_UUID'
    static final String CAUSE_HOST = 'gearman'
    static final List<String> OVER = ['finished', 'cancelled']

    final int limit
    final long ageMs
    private final Map<String, Map> byUuid = new java.util.concurrent.ConcurrentHashMap<String, Map>()
    // [uuid, finished at] of finished and cancelled records, oldest first; guarded by itself.
    private final ArrayDeque<List> finishedOrder = new ArrayDeque<List>()
    volatile boolean complete = false

    GearmanJenkinsRecords(int limit, long ageMs) {
        this.limit = limit
        this.ageMs = ageMs
    }

    /** The uuid of a queue item or build that carries both of the agent's marks, else null. */
    static String gearmanUuid(Object actionable) {
        def value = actionable.getAction(ParametersAction)?.getParameter(UUID_PARAMETER)?.getValue()
        if (value == null) {
            return null
        }
        CauseAction causes = actionable.getAction(CauseAction)
        if (causes == null) {
            return null
        }
        for (Cause cause : causes.getCauses()) {
            if (cause instanceof Cause.RemoteCause && cause.getAddr() == CAUSE_HOST && cause.getNote() == value) {
                return value as String
            }
        }
        return null
    }

    static Map queuedRecord(Queue.Item item, String uuid) {
        return [uuid: uuid, job: item.task.getFullName(), queue_id: item.getId(), state: 'queued']
    }

    /**
     * What the controller is told of a build. A Pipeline run holds no agent's executor itself:
     * its node is the one its pinned block holds (`pipelineNode`; the built-in node while
     * there is none), which is where the controller counts it.
     */
    static Map runRecord(Run run, String uuid, String pipelineNode = null) {
        Computer computer = null
        Node node
        String nodeName
        if (GearmanJenkinsPipelines.isPipelineRun(run)) {
            nodeName = pipelineNode ?: ''
            node = GearmanJenkinsShapes.nodeNamed(nodeName)
        } else {
            // builtOn is set only once the build's steps begin, after onStarted;
            // the executor knows the node from the start.
            computer = run.getExecutor()?.getOwner()
            node = computer != null ? computer.getNode() : run.getBuiltOn()
            nodeName = computer != null ? computer.getName() : (run.getBuiltOnStr() ?: '')
        }
        boolean building = run.isBuilding()
        return [
            uuid: uuid,
            job: run.getParent().getFullName(),
            number: run.getNumber(),
            queue_id: run.getQueueId(),
            url: run.getUrl(),
            node: nodeName,
            node_labels: node == null ? [] : node.getAssignedLabels().collect { it.getName() }.sort(),
            executor: computer != null ? run.getExecutor()?.getNumber() : null,
            estimated_duration: run.getEstimatedDuration(),
            started: run.getStartTimeInMillis(),
            state: building ? 'running' : 'finished',
            result: run.getResult()?.toString(),
            description: run.getDescription(),
            finished: building ? null : run.getStartTimeInMillis() + run.getDuration(),
        ]
    }

    Map get(String uuid) {
        return uuid == null ? null : byUuid[uuid]
    }

    /** A queued or running build; what is recorded already finished is never undone. */
    void track(Map record) {
        Map known = byUuid[record.uuid as String]
        if (known == null || !(known.state in OVER)) {
            byUuid[record.uuid as String] = record
        }
    }

    void finish(Map record) {
        byUuid[record.uuid as String] = record
        synchronized (finishedOrder) {
            finishedOrder.addLast([record.uuid, record.finished])
            prune(System.currentTimeMillis())
        }
    }

    /**
     * Whether `run` is the build the agent queued for `uuid` (not a copy carrying its marks).
     * A whole record knows every build the agent queued, so a stranger is a copy; while the
     * record is being rebuilt, the marks decide.
     */
    boolean owns(Run run, String uuid) {
        Map record = byUuid[uuid]
        if (record == null) {
            return !complete
        }
        if (record.queue_id != null) {
            return (record.queue_id as long) == run.getQueueId()
        }
        return record.number == null || (record.number as int) == run.getNumber()
    }

    /** Finished and cancelled records past their age or over the limit leave, oldest first. */
    void prune(long now) {
        synchronized (finishedOrder) {
            while (!finishedOrder.isEmpty()) {
                List oldest = finishedOrder.peekFirst()
                if (finishedOrder.size() <= limit && (oldest[1] as long) >= now - ageMs) {
                    break
                }
                finishedOrder.removeFirst()
                Map record = byUuid[oldest[0] as String]
                if (record != null && record.state in OVER && record.finished == oldest[1]) {
                    byUuid.remove(oldest[0] as String)
                }
            }
        }
    }

    List<Map> inFlight() {
        return byUuid.values().findAll { !(it.state in OVER) } as List
    }

    List<String> finishedUuids() {
        return byUuid.values().findAll { it.state in OVER }.collect { it.uuid } as List
    }

    int size() {
        return byUuid.size()
    }

    /** A copy for the agent that replaces this one. */
    Map export() {
        synchronized (finishedOrder) {
            return [records: new LinkedHashMap(byUuid), order: new ArrayList(finishedOrder), complete: complete]
        }
    }

    /** Takes over a previous agent's record; where both know a uuid, the further state wins. */
    void adopt(Map records, List order, boolean wasComplete) {
        records.each { uuid, record ->
            Map known = byUuid[uuid as String]
            if (known == null || rank(record.state as String) > rank(known.state as String)) {
                byUuid[uuid as String] = new LinkedHashMap(record)
            }
        }
        mergeOrder(order)
        complete = complete || wasComplete
    }

    private static int rank(String state) {
        return state in OVER ? 2 : (state == 'running' ? 1 : 0)
    }

    private void mergeOrder(List entries) {
        synchronized (finishedOrder) {
            List all = new ArrayList(entries)
            all.addAll(finishedOrder)
            all.sort { it[1] as long }
            finishedOrder.clear()
            all.each { finishedOrder.addLast(it) }
            prune(System.currentTimeMillis())
        }
    }

    /**
     * Rebuilds the record from Jenkins' queue and the builds of the retention
     * period. Where copies carry a uuid's marks, the oldest build is its build.
     * Nothing recorded meanwhile by the listeners is replaced.
     */
    void index(List jobs) {
        long cutoff = System.currentTimeMillis() - ageMs
        Map<String, Map> found = [:]
        for (Queue.Item item : Jenkins.get().getQueue().getItems()) {
            String uuid = gearmanUuid(item)
            if (uuid != null) {
                found[uuid] = queuedRecord(item, uuid)
            }
        }
        for (def job : jobs) {
            for (def run : job.getBuilds()) {
                if (!run.isBuilding() && run.getStartTimeInMillis() < cutoff) {
                    break
                }
                String uuid = gearmanUuid(run)
                if (uuid != null) {
                    found[uuid] = runRecord(run, uuid)
                }
            }
        }
        List order = []
        found.each { uuid, record ->
            if (byUuid.putIfAbsent(uuid, record) == null && record.state in OVER) {
                order << [uuid, record.finished]
            }
        }
        mergeOrder(order)
        complete = true
    }
}
