{#-
  Part of agent.groovy: the operations the controller sends in batches
  (agent_batch.groovy): reserve, release, schedule, stop, describe,
  find. Each answers a map with a `status` (reserve: `granted`); the names
  and statuses are the controller's controller/masters/operations.py.

  Jobs are named by full name ("folder/sub/job"): freestyle-style projects and
  Pipelines alike. A Pipeline run's executor is a one-off executor of the
  built-in node, which Run.getExecutor finds like any other: stopping a run
  interrupts it, and the run aborts its node blocks.

  Jenkins APIs: hudson/model/Queue.java (schedule2, getItems(Task), getItem(long),
  cancel, withLock, scheduleMaintenance), hudson/model/ParametersAction.java
  (ParametersAction(List, Collection): safe parameter names),
  StringParameterValue.java, CauseAction.java, Cause.java (RemoteCause),
  hudson/model/Job.java (getBuildByNumber, getBuilds, isBuildable), Run.java
  (isBuilding, getExecutor, setDescription), Executor.java (interrupt(Result)),
  Computer.java (countIdle, isOffline, isAcceptingTasks),
  jenkins/model/Jenkins.java (getItemByFullName, isQuietingDown).
  Plugin APIs: workflow-job-plugin WorkflowRun.java (its one-off executor).
-#}
class GearmanJenkinsOperations {
    private final GearmanJenkinsAgent agent
    private final Object scheduleLock = new Object()

    GearmanJenkinsOperations(GearmanJenkinsAgent agent) {
        this.agent = agent
    }

    /**
     * Runs the operations in order, each on its own: one that throws answers
     * {status: error, reason} (a reserve also grants nothing) and the others still run
     * and report. The operations before it have already acted (queued builds, granted
     * reservations), so failing the whole request would hide what they did.
     */
    List call(List ops) {
        return ops.collect { op ->
            if (!(op instanceof Map)) {
                return [status: 'error', reason: 'an operation must be a JSON object']
            }
            try {
                return callOne(op)
            } catch (Exception e) {
                GearmanJenkinsAgent.LOG.log(Level.WARNING, "gearman-jenkins: a ${op.op} operation failed", e)
                Map failure = [status: 'error', reason: oneLine(e)]
                if (op.op == 'reserve') {
                    failure.granted = []
                }
                return failure
            }
        }
    }

    private Map callOne(Map op) {
        switch (op.op) {
            case 'reserve': return reserve(op.node as String, op.count as int, op.ttl_ms as long)
            case 'release': return release(op.ids as List)
            case 'schedule': return schedule(op)
            case 'stop': return stop(op)
            case 'describe': return describe(op)
            case 'find': return find(op)
            default: return [status: 'error', reason: "unknown operation ${op.op}".toString()]
        }
    }

    static String oneLine(Throwable e) {
        String text = "${e.getClass().getName()}: ${e.getMessage()}".replaceAll(/\s+/, ' ')
        return text.length() > 300 ? text.substring(0, 300) + '...' : text
    }

    static Job job(Object name) {
        return name == null ? null : Jenkins.get().getItemByFullName(name as String, Job)
    }

    /**
     * Idle executors are counted under the queue lock: Queue.maintain hands
     * executors out under it, so no build can take one between the count and
     * the grant, and more reservations than idle executors are never granted.
     */
    Map reserve(String name, int count, long ttlMs) {
        List<String> granted = []
        Queue.withLock({
            Node node = GearmanJenkinsShapes.nodeNamed(name)
            Computer computer = node?.toComputer()
            if (computer != null && !computer.isOffline() && computer.isAcceptingTasks() && !Jenkins.get().isQuietingDown()) {
                granted = agent.holds.reserve(name, computer.countIdle() - agent.keptIdle(node, null), count, ttlMs)
            }
        } as Runnable)
        return [granted: granted]
    }

    Map release(List ids) {
        int released = agent.holds.release(ids)
        if (released > 0) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
        return [released: released]
    }

    /**
     * The record of a uuid. The controller names the job, so only that job is
     * looked at beyond the record: its queue items (Jenkins may load a saved queue
     * after the agent started) and, while the record is still being rebuilt from
     * the history, its builds of the retention period.
     */
    Map lookup(String uuid, Job job) {
        Map record = agent.records.get(uuid)
        if (record != null || job == null) {
            return record
        }
        for (Queue.Item item : Jenkins.get().getQueue().getItems(job)) {
            if (GearmanJenkinsRecords.gearmanUuid(item) == uuid) {
                record = GearmanJenkinsRecords.queuedRecord(item, uuid)
                agent.records.track(record)
                return record
            }
        }
        if (agent.records.complete) {
            return null
        }
        long cutoff = System.currentTimeMillis() - agent.records.ageMs
        for (def run : job.getBuilds()) {
            if (!run.isBuilding() && run.getStartTimeInMillis() < cutoff) {
                break
            }
            agent.stats.count('history_examined')
            if (GearmanJenkinsRecords.gearmanUuid(run) == uuid) {
                record = GearmanJenkinsRecords.runRecord(run, uuid)  // newest first: the oldest wins
            }
        }
        if (record != null) {
            record.state in GearmanJenkinsRecords.OVER ? agent.records.finish(record) : agent.records.track(record)
        }
        return record
    }

    /**
     * Queues one Gearman build, once per uuid: the look-up and the queueing happen under
     * scheduleLock, so two requests carrying the same uuid at once (a client's retry, a
     * re-delivered Gearman job) make one build. Nothing that holds the queue lock ever
     * waits for scheduleLock (canTake only takes the holds' lock), so this cannot deadlock.
     */
    Map schedule(Map op) {
        Map answer
        synchronized (scheduleLock) {
            answer = queueBuild(op)
        }
        if (answer.status != 'queued' && op.reservation != null) {
            release([op.reservation])
        }
        return answer
    }

    private static Map rejected(String reason) {
        return [status: 'rejected', reason: reason]
    }

    private Map queueBuild(Map op) {
        if (!(op.uuid instanceof String) || op.uuid.isEmpty()) {
            return rejected('the operation carries no uuid')
        }
        String uuid = op.uuid
        Job job = GearmanJenkinsShapes.dispatchable(Jenkins.get().getItemByFullName(op.job as String, Job))
        Map known = lookup(uuid, job)
        if (known != null) {
            return [status: 'existing', build: known]
        }
        if (job == null) {
            return rejected('no such job on this master')
        }
        if (!job.isBuildable()) {
            return rejected('the job is disabled')
        }
        if (op.params != null && !(op.params instanceof Map)) {
            return rejected('the parameters must be a JSON object')
        }
        Map parameters = new LinkedHashMap((op.params ?: [:]) as Map)
        parameters[GearmanJenkinsRecords.UUID_PARAMETER] = uuid
        List values = parameters.collect { k, v -> new StringParameterValue(k as String, v as String) }
        // The controller has applied its policy for undeclared names; what it sends is meant to reach the build.
        List actions = [new ParametersAction(values, parameters.keySet() as List),
                        new CauseAction(new Cause.RemoteCause(GearmanJenkinsRecords.CAUSE_HOST, uuid))]
        if (op.handover_ms) {
            agent.holds.handovers[uuid] = op.handover_ms as long
        }
        String node = op.node as String
        agent.holds.pin(uuid, node, op.reservation as String)
        // A node that went away or offline since its reservation has already released its
        // pins (unpinNode); checked after pinning, so that no removal slips in between.
        if (!canRunOn(node)) {
            agent.releasePin(uuid)
        }
        def result = Jenkins.get().getQueue().schedule2(job, 0, actions)
        if (result.isRefused()) {
            agent.releasePin(uuid)
            return rejected('Jenkins refused to queue the build')
        }
        Queue.Item item = result.getItem()
        Map record = GearmanJenkinsRecords.queuedRecord(item, uuid)
        record.node = node
        // The build may have started (and even finished) on another thread already.
        agent.records.track(record)
        return [status: 'queued', queue_id: item.getId()]
    }

    /** Whether the node exists, is connected and not marked temporarily offline. */
    static boolean canRunOn(String name) {
        Computer computer = name == null ? null : GearmanJenkinsShapes.nodeNamed(name)?.toComputer()
        return computer != null && computer.getChannel() != null && !computer.isTemporarilyOffline()
    }

    Map stop(Map op) {
        if (op.uuid != null) {
            return stopUuid(op.uuid as String)
        }
        def run = job(op.job)?.getBuildByNumber(op.number as int)
        if (run == null) {
            return [status: 'not_found']
        }
        if (!run.isBuilding() || run.getExecutor() == null) {
            return [status: 'not_running', result: run.getResult()?.toString()]
        }
        run.getExecutor().interrupt(Result.ABORTED)
        return [status: 'aborted']
    }

    private Map stopUuid(String uuid) {
        Map record = agent.records.get(uuid)
        if (record == null) {
            return [status: 'not_found']
        }
        if (record.state == 'queued' && cancelQueued(record)) {
            return [status: 'dequeued', build: agent.records.get(uuid) ?: record]
        }
        record = agent.records.get(uuid) ?: record
        if (record.state == 'running') {
            def run = job(record.job)?.getBuildByNumber(record.number as int)
            if (run != null && run.isBuilding() && run.getExecutor() != null) {
                run.getExecutor().interrupt(Result.ABORTED)
                return [status: 'aborted', build: record]
            }
        }
        return [status: 'finished', build: record]
    }

    /**
     * Looks the item up and cancels it under the queue lock: outside it, the item
     * object may since have been replaced by maintenance (waiting -> blocked ->
     * buildable, each a new object), and cancelling a stale object does nothing.
     */
    private static boolean cancelQueued(Map record) {
        Queue queue = Jenkins.get().getQueue()
        boolean cancelled = false
        Queue.withLock({
            Queue.Item item = queue.getItem(record.queue_id as long)
            cancelled = item != null && !(item instanceof Queue.LeftItem) && queue.cancel(item)
        } as Runnable)
        return cancelled
    }

    Map describe(Map op) {
        def run = job(op.job)?.getBuildByNumber(op.number as int)
        if (run == null) {
            return [status: 'not_found']
        }
        run.setDescription(op.description as String)
        return [status: 'ok']
    }

    Map find(Map op) {
        Map record = lookup(op.uuid as String, job(op.job))
        return record == null ? [status: 'not_found'] : [status: 'found', build: record]
    }
}
