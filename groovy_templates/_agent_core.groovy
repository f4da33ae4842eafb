{#-
  Part of agent.groovy: the agent itself. It is the QueueTaskDispatcher that
  keeps pinned builds on their node and native builds off reserved executors,
  owns the other parts (event log, holds, records, shapes, operations), turns
  what the listeners hear into records and events, and hands its state to the
  agent that replaces it.

  Pipelines (README: Pipeline jobs): a Gearman Pipeline's run starts on a
  one-off executor of the built-in node while its pin goes on holding the
  reserved executor; the run's first node block that node admits is kept to
  it, blocks it does not admit go where Jenkins puts them. The run is reported
  on the pinned node from its start, which is where the controller counts it.

  Jenkins APIs: hudson/model/queue/QueueTaskDispatcher.java (canTake(Node,
  BuildableItem); Queue.makeFlyWeightTaskBuildable asks Node.canTake only, so
  a Pipeline run's own item never comes here, its node blocks do),
  hudson/ExtensionList.java (lookup, add, remove), hudson/model/Queue.java
  (withLock, getItems, scheduleMaintenance; LeftItem.outcome: onLeft fires on the
  executor's thread, under the queue lock, before the task's executable exists),
  hudson/model/queue/WorkUnitContext.java (getPrimaryWorkUnit), WorkUnit.java
  (getExecutor), hudson/model/Computer.java (getExecutors: a finished task's
  executor is replaced under the queue lock, getOneOffExecutors, countIdle,
  setTemporaryOfflineCause since 2.482, setTemporarilyOffline before),
  hudson/model/Executor.java (getCurrentExecutable, getOwner),
  hudson/slaves/OfflineCause.java (ByCLI),
  hudson/model/listeners/SaveableListener.java, jenkins/model/Nodes.java
  (save: one file per node, nodes/NAME/config.xml), hudson/security/ACL.java,
  hudson/init/InitMilestone.java and jenkins/model/Jenkins.java (getInitLevel).
  Plugin APIs: see _agent_pipelines.groovy.
-#}
class GearmanJenkinsAgent extends QueueTaskDispatcher {
    static final Logger LOG = Logger.getLogger('gearman-jenkins')
    static final String OFFLINE_PARAMETER = 'OFFLINE_NODE_WHEN_COMPLETE'
    static final Set<String> TRUE_VALUES = ['1', 'true', 'True', 'TRUE'] as Set
    static final long TICK_MS = 200L

    final String version
    final String epoch = UUID.randomUUID().toString()
    volatile boolean stopped = false
    final GearmanJenkinsStats stats = new GearmanJenkinsStats()
    final GearmanJenkinsEventLog events
    final GearmanJenkinsHolds holds = new GearmanJenkinsHolds()
    final GearmanJenkinsLease lease = new GearmanJenkinsLease()
    final GearmanJenkinsRecords records
    final GearmanJenkinsShapes shapes
    final GearmanJenkinsOperations operations
    final List registrations = []
    // Made before any listener is registered: a listener may ask it for a delayed node scan at once.
    private final Timer timer
    // Node block -> uuid of the Gearman Pipeline it belongs to ('' for none). canTake asks for every
    // node at every maintenance, and reading a run's actions asks each TransientActionFactory anew.
    private final Map<Object, String> blockBuilds = Collections.synchronizedMap(new WeakHashMap<Object, String>())
    private boolean quietingDown

    GearmanJenkinsAgent(String version, int eventLimit, int recordLimit, long recordAgeMs) {
        this.version = version
        this.events = new GearmanJenkinsEventLog(eventLimit)
        this.records = new GearmanJenkinsRecords(recordLimit, recordAgeMs)
        this.shapes = new GearmanJenkinsShapes(events, stats, { String node -> unpinNode(node) })
        this.operations = new GearmanJenkinsOperations(this)
        this.timer = new Timer("gearman-jenkins agent ${epoch}", true)
    }

    // ---- life cycle -------------------------------------------------------

    /**
     * Registers first, then takes over the previous agents' state. While both are
     * registered Jenkins asks both dispatchers, so the old one still holds its pins and
     * reservations, and every build that starts or ends meanwhile reaches this agent.
     */
    void start(List previous) {
        shapes.snapshot()
        quietingDown = Jenkins.get().isQuietingDown()
        register(QueueTaskDispatcher, this)
        register(RunListener, new GearmanJenkinsRunListener(this))
        register(ItemListener, new GearmanJenkinsItemListener(this))
        register(ComputerListener, new GearmanJenkinsComputerListener(this))
        register(NodeListener, new GearmanJenkinsNodeListener(this))
        register(QueueListener, new GearmanJenkinsQueueListener(this))
        register(SaveableListener, new GearmanJenkinsSaveableListener(this))
        previous.each { adopt(it) }
        if (!records.complete) {
            indexHistory()
        }
        timer.schedule(new GearmanJenkinsTask('watchdog', { tick() }), TICK_MS, TICK_MS)
        LOG.info("gearman-jenkins agent ${version} started, epoch ${epoch}")
    }

    private void register(Class type, Object extension) {
        hudson.ExtensionList.lookup(type).add(extension)
        registrations << [type, extension]
    }

    void shutdown() {
        stopped = true
        timer.cancel()
        registrations.each { pair -> hudson.ExtensionList.lookup(pair[0]).remove(pair[1]) }
        registrations.clear()
        events.close()
        Jenkins.get().getQueue().scheduleMaintenance()
        LOG.info("gearman-jenkins agent ${version} stopped, epoch ${epoch}")
    }

    /** What an agent replacing this one takes over; the caller holds the queue lock. */
    Map exportState() {
        return [holds: holds.export(), records: records.export(), lease: lease.export()]
    }

    /**
     * Takes an older agent's state (it lives in another class loader: called dynamically).
     * Under the queue lock no build leaves the queue meanwhile, so the pins kept are
     * exactly those of builds still waiting there.
     */
    private void adopt(Object old) {
        try {
            Map state = null
            Queue.withLock({
                state = old.metaClass.respondsTo(old, 'exportState') ? old.exportState() : previousLayoutState(old)
                Set<String> waiting = Jenkins.get().getQueue().getItems().collect { GearmanJenkinsRecords.gearmanUuid(it) } as Set
                holds.adopt(state.holds, { String uuid -> waiting.contains(uuid) && records.get(uuid)?.state in [null, 'queued'] })
            } as Runnable)
            records.adopt(state.records.records, state.records.order, state.records.complete)
            if (state.lease != null) {
                lease.adopt(state.lease)  // the owning controller goes on at its epoch
            }
            endPipelinesNoLongerRunning()
            Jenkins.get().getQueue().scheduleMaintenance()
        } catch (Exception e) {
            LOG.log(Level.WARNING, 'gearman-jenkins: could not carry over the previous agent state', e)
        }
    }

    /**
     * Holds of Gearman Pipeline runs passed over from a previous agent: a run that ended
     * before this agent's listeners were there gives them up now (one ending later does
     * so itself, through buildCompleted).
     */
    private void endPipelinesNoLongerRunning() {
        Set<String> uuids = holds.allKept().collect { it.uuid as String } as Set
        uuids.addAll(holds.dueRuns())
        uuids.each { String uuid ->
            Map record = records.get(uuid)
            def run = record?.number == null ? null : GearmanJenkinsOperations.job(record.job)?.getBuildByNumber(record.number as int)
            if (run == null || !run.isBuilding()) {
                holds.endRun(uuid, 0)
                holds.unkeep(uuid)
            }
        }
    }

    /** The state of an agent of the one-class layout (before 0.2): its fields, read under its lock. */
    private static Map previousLayoutState(Object old) {
        Map holdState
        synchronized (old.@holdLock) {
            holdState = [
                pins: new LinkedHashMap(old.pins),
                reservations: old.reservations.collectEntries { id, r -> [(id): new LinkedHashMap(r)] },
                handovers: new LinkedHashMap(old.handovers),
            ]
        }
        long now = System.currentTimeMillis()
        Map copied = old.records.collectEntries { uuid, record ->
            Map copy = new LinkedHashMap(record)
            if (copy.state in GearmanJenkinsRecords.OVER && copy.finished == null) {
                copy.finished = now  // it kept no such time: retained from now on
            }
            [(uuid): copy]
        }
        def order = old.@finishedOrder
        List entries
        synchronized (order) {
            entries = order.findAll { copied[it]?.finished != null }.collect { uuid -> [uuid, copied[uuid].finished] }
        }
        return [holds: holdState, records: [records: copied, order: entries, complete: false]]
    }

    /** Rebuilds the record from the history on a thread of its own; says so when done. */
    private void indexHistory() {
        Thread thread = new Thread({
            def context = hudson.security.ACL.as2(hudson.security.ACL.SYSTEM2)
            try {
                // At boot Jenkins runs init.groovy.d (and so this agent) before it loads its saved
                // queue: index once it is up, so that the queued Gearman builds are on the record.
                while (!stopped && Jenkins.get().getInitLevel() != InitMilestone.COMPLETED) {
                    Thread.sleep(100)
                }
                long began = System.currentTimeMillis()
                records.index(GearmanJenkinsShapes.allJobs())
                stats.add('history_indexed', records.size())
                LOG.info("gearman-jenkins: ${records.size()} Gearman builds on record (${System.currentTimeMillis() - began} ms)")
                events.emit('records_complete', [records: records.size()])
            } catch (Throwable t) {
                LOG.log(Level.WARNING, 'gearman-jenkins: could not rebuild the record of Gearman builds from the history', t)
            } finally {
                context.close()
            }
        } as Runnable, "gearman-jenkins record index ${epoch}")
        thread.setDaemon(true)
        thread.start()
    }

    void tick() {
        if (stopped) {
            return
        }
        boolean quiet = Jenkins.get().isQuietingDown()
        if (quiet != quietingDown) {
            quietingDown = quiet
            events.emit('quiet_down', [quieting_down: quiet])
        }
        long now = System.currentTimeMillis()
        // Quiet-down has no listener and reservations expire by time: both are
        // noticed well within the controller's 1 s event budget.
        if (holds.expire(now)) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
        records.prune(now)
    }

    // ---- what the listeners hear ------------------------------------------------

    void saved(Saveable saveable, XmlFile file) {
        stats.count('saves')
        if (GearmanJenkinsShapes.dispatchable(saveable) != null) {
            shapes.refreshJob(saveable)
        } else if (saveable instanceof Node) {
            shapes.refreshNode(saveable)  // an agent, or Jenkins itself: the built-in node
        } else if (saveable instanceof Nodes) {
            Node node = file == null ? null : Jenkins.get().getNode(file.getFile().getParentFile().getName())
            if (node != null) {
                shapes.refreshNode(node)
            } else {
                nodesMayHaveChanged()
            }
        }
    }

    void nodesMayHaveChanged() {
        shapes.nodesMayHaveChanged(timer)
    }

    /** The uuid if `run` is the agent's Gearman build of it; null for other builds and for copies. */
    String gearmanUuidOf(Run run) {
        String uuid = GearmanJenkinsRecords.gearmanUuid(run)
        return uuid != null && records.owns(run, uuid) ? uuid : null
    }

    void buildStarted(Run run) {
        boolean pipeline = GearmanJenkinsPipelines.isPipelineRun(run)
        if (!(run instanceof AbstractBuild) && !pipeline) {
            return
        }
        String uuid = gearmanUuidOf(run)
        if (pipeline && uuid == null) {
            return  // its run holds no agent's executor: only its node blocks do, like any task
        }
        Map record
        if (pipeline) {
            // The pin stays: it holds the reserved executor for the run's pinned block.
            holds.expectBlock(uuid)
            record = GearmanJenkinsRecords.runRecord(run, uuid, holds.pinOf(uuid))
        } else {
            record = GearmanJenkinsRecords.runRecord(run, uuid)
        }
        record.state = 'running'
        if (uuid != null) {
            records.track(record)
            if (!pipeline) {
                releasePin(uuid)
            }
        }
        events.emit('build_started', [build: record])
    }

    void buildCompleted(Run run) {
        boolean pipeline = GearmanJenkinsPipelines.isPipelineRun(run)
        if (!(run instanceof AbstractBuild) && !pipeline) {
            return
        }
        String uuid = gearmanUuidOf(run)
        if (pipeline && uuid == null) {
            return
        }
        Map record = pipeline ? GearmanJenkinsRecords.runRecord(run, uuid, records.get(uuid)?.node as String)
                              : GearmanJenkinsRecords.runRecord(run, uuid)
        long now = System.currentTimeMillis()
        record.state = 'finished'
        record.finished = now
        record.duration = Math.max(0L, now - run.getStartTimeInMillis())
        if (uuid != null) {
            record.node_offlined = offlineIfAsked(run, uuid, pipeline)
            Long handoverMs = holds.handovers.remove(uuid)
            boolean handOver = handoverMs != null && !record.node_offlined
            if (pipeline) {
                // Only an executor the run still holds (its pin, unused) can pass to the next Gearman build:
                // the one its pinned block used went back to Jenkins when the block ended.
                record.handover = holds.endRun(uuid, handOver ? handoverMs : 0L)
                holds.unkeep(uuid)
                Jenkins.get().getQueue().scheduleMaintenance()
            } else if (handOver) {
                record.handover = holds.handOver(record.node as String, handoverMs)
            }
            records.finish(record)
        }
        events.emit('build_completed', [build: record])
    }

    private static boolean offlineRequested(Run run) {
        def flag = run.getAction(ParametersAction)?.getParameter(OFFLINE_PARAMETER)?.getValue()
        return flag != null && TRUE_VALUES.contains(flag as String)
    }

    /**
     * OFFLINE_NODE_WHEN_COMPLETE. A freestyle build is still on its executor, so no other build can
     * take the node first; a Pipeline's pinned block has left its executor, which has been kept from
     * other builds since (keptIdle). A Pipeline whose pinned block never ran takes no node offline.
     */
    private boolean offlineIfAsked(Run run, String uuid, boolean pipeline) {
        if (!offlineRequested(run)) {
            return false
        }
        Computer computer
        if (pipeline) {
            Map block = holds.keptOf(uuid)
            computer = block == null ? null : GearmanJenkinsShapes.nodeNamed(block.node as String)?.toComputer()
        } else {
            computer = run.getExecutor()?.getOwner() ?: run.getBuiltOn()?.toComputer()
        }
        if (computer == null) {
            return false
        }
        setOffline(computer, true, "gearman-jenkins: ${OFFLINE_PARAMETER} set by Gearman job ${uuid} (${run.getFullDisplayName()})")
        return true
    }

    static void setOffline(Computer computer, boolean offline, String message) {
        OfflineCause cause = offline ? new OfflineCause.ByCLI(message) : null
        if (computer.metaClass.respondsTo(computer, 'setTemporaryOfflineCause', OfflineCause)) {
            computer.setTemporaryOfflineCause(cause)
        } else {
            computer.setTemporarilyOffline(offline, cause)
        }
    }

    void queueItemLeft(Queue.LeftItem item) {
        if (!item.isCancelled()) {
            if (GearmanJenkinsPipelines.isNodeBlock(item.task)) {
                nodeBlockStarted(item)
            }
            return
        }
        String uuid = GearmanJenkinsRecords.gearmanUuid(item)
        if (uuid == null || !isOwnItem(item, uuid)) {
            return
        }
        releasePin(uuid)
        holds.handovers.remove(uuid)
        Map record = GearmanJenkinsRecords.queuedRecord(item, uuid)
        record.state = 'cancelled'
        record.finished = System.currentTimeMillis()
        records.finish(record)
        events.emit('queue_cancelled', [build: record])
    }

    /**
     * A node block took an executor (called under the queue lock, before the block runs). If it
     * is a Gearman Pipeline's pinned block, the pin has done its work: the block holds the
     * executor now, and with OFFLINE_NODE_WHEN_COMPLETE keeps it from others until the run completes.
     */
    private void nodeBlockStarted(Queue.LeftItem item) {
        Run run = GearmanJenkinsPipelines.runOf(item.task)
        String uuid = run == null ? null : gearmanUuidOf(run)
        def executor = item.outcome.getPrimaryWorkUnit().getExecutor()
        Node node = executor?.getOwner()?.getNode()
        if (uuid == null || node == null || !holds.blockStarted(uuid, node.getNodeName())) {
            return
        }
        if (offlineRequested(run)) {
            holds.keep(uuid, node.getNodeName(), executor)
        }
        Map record = records.get(uuid)
        if (record != null && record.node != node.getNodeName()) {
            // Its pin had gone with the node it named: the build is where this block runs.
            Map moved = new LinkedHashMap(record)
            moved.node = node.getNodeName()
            moved.node_labels = node.getAssignedLabels().collect { it.getName() }.sort()
            records.track(moved)
        }
        Jenkins.get().getQueue().scheduleMaintenance()
    }

    /**
     * Whether a queue item carrying a uuid's marks is the one the agent scheduled (not a copy).
     * Between queueing and recording an item of its own, its pin says so.
     */
    private boolean isOwnItem(Queue.Item item, String uuid) {
        Map record = records.get(uuid)
        if (record == null) {
            return holds.pinOf(uuid) != null || !records.complete
        }
        return record.queue_id == null || (record.queue_id as long) == item.getId()
    }

    void releasePin(String uuid) {
        if (holds.unpin(uuid)) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
    }

    /** A node that went away or offline releases its pinned builds to any node their label allows. */
    private void unpinNode(String node) {
        holds.pinnedTo(node).each { releasePin(it) }
    }

    // ---- the dispatcher ------------------------------------------------------

    @Override
    CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
        long began = System.nanoTime()
        try {
            return blockage(node, item)
        } finally {
            stats.count('can_take')
            stats.add('can_take_ns', System.nanoTime() - began)
        }
    }

    /**
     * An item of the agent's Gearman build waits for the node its pin names; for a Pipeline that
     * is the run's node block the pinned node admits (the others go where Jenkins puts them).
     * Every other item, and a Gearman build's item without a pin, keeps off executors held for
     * Gearman builds.
     */
    private CauseOfBlockage blockage(Node node, Queue.BuildableItem item) {
        String name = node.getNodeName()
        String uuid = gearmanBuildOf(item)
        if (uuid != null) {
            String pinned = holds.pinOf(uuid)
            if (pinned != null && (!GearmanJenkinsPipelines.isNodeBlock(item.task) || pinnedBlock(pinned, item))) {
                if (pinned != name) {
                    return new GearmanJenkinsBlockage("Gearman build ${uuid} waits for node ${pinned ?: 'built-in'}")
                }
                return null
            }
        }
        int reserved = holds.heldOn(name) + keptIdle(node, uuid)
        if (reserved > 0) {
            Computer computer = node.toComputer()
            if (computer != null && computer.countIdle() <= reserved) {
                return new GearmanJenkinsBlockage("${reserved} executor(s) of ${name ?: 'built-in'} held for Gearman builds")
            }
        }
        return null
    }

    /** The uuid of the agent's Gearman build a queue item is, or for a node block belongs to; else null. */
    private String gearmanBuildOf(Queue.Item item) {
        if (GearmanJenkinsPipelines.isNodeBlock(item.task)) {
            String uuid = blockBuilds.get(item.task)
            if (uuid == null) {
                Run run = GearmanJenkinsPipelines.runOf(item.task)
                uuid = (run == null ? null : gearmanUuidOf(run)) ?: ''
                blockBuilds.put(item.task, uuid)
            }
            return uuid ?: null
        }
        String uuid = GearmanJenkinsRecords.gearmanUuid(item)
        return uuid != null && isOwnItem(item, uuid) ? uuid : null
    }

    /** Whether a node block of a Gearman Pipeline whose pin names `pinned` is its pinned block. */
    private static boolean pinnedBlock(String pinned, Queue.BuildableItem item) {
        Node target = GearmanJenkinsShapes.nodeNamed(pinned)
        return target != null && GearmanJenkinsPipelines.admits(target, item.getAssignedLabel())
    }

    /**
     * Executors of `node` kept for Gearman Pipelines whose pinned block has ended (Jenkins replaces
     * a finished task's executor under the queue lock, so a kept one no longer in the node's list is
     * the block's, now idle). `except`: the run asking, whose own blocks may use it.
     */
    int keptIdle(Node node, String except) {
        List<Map> entries = holds.keptOn(node.getNodeName())
        if (entries.isEmpty()) {
            return 0
        }
        List current = node.toComputer()?.getExecutors() ?: []
        return entries.count { entry -> entry.uuid != except && !current.any { it.is(entry.executor) } } as int
    }

    /** Executors held per node: reservations, pins and kept executors. */
    Map heldByNode() {
        Map held = holds.heldByNode()
        holds.allKept().collect { it.node as String }.unique().each { String name ->
            Node node = GearmanJenkinsShapes.nodeNamed(name)
            int idle = node == null ? 0 : keptIdle(node, null)
            if (idle > 0) {
                held[name] = ((held[name] ?: 0) as int) + idle
            }
        }
        return held
    }

    // ---- calls from the controller ----------------------------------------------

    /** A batch of operations from the controller that holds `claim`; anyone else's is fenced. */
    List call(List ops, Map claim) {
        if (claim == null || !lease.admits(claim.name as String, claim.instance as String, claim.epoch as long)) {
            Map fence = [status: 'fenced', granted: [], lease: lease.state()]
            return ops.collect { fence }
        }
        return operations.call(ops)
    }

    /** The long-poll; a `claim` of the holder renews the lease first. Every reply says who holds it. */
    Map events(long after, long timeoutMs, long lingerMs, int max, Map claim) {
        Map renewal = claim == null ? lease.state() : lease.renew(claim.name as String, claim.instance as String,
                                                                   claim.epoch as long, claim.ttl_ms as long)
        Map reply = events.poll(after, timeoutMs, lingerMs, max)
        reply.lease = renewal
        return reply
    }

    /** Acquire (or give back) the lease; a new holder's epoch ends what the previous one held. */
    Map leaseRequest(Map request) {
        if (request.action == 'release') {
            return lease.release(request.name as String, request.instance as String, request.epoch as long)
        }
        Map answer = lease.acquire(request.name as String, request.instance as String, request.ttl_ms as long)
        if (answer.new_epoch) {
            // Reservations and handovers were the previous holder's, which will never use them.
            if (holds.dropReservations() > 0) {
                Jenkins.get().getQueue().scheduleMaintenance()
            }
            LOG.info("gearman-jenkins: lease epoch ${answer.epoch} to controller ${request.name}")
        }
        return answer
    }

    /** What holds agents' executors: builds on them, and Gearman Pipeline runs, on their pinned node. */
    List<Map> runningBuilds() {
        List<Map> found = []
        GearmanJenkinsShapes.allNodes().each { Node n ->
            Computer computer = n.toComputer()
            computer?.getExecutors()?.each { executor ->
                def executable = executor.getCurrentExecutable()
                if (executable instanceof AbstractBuild) {
                    found << GearmanJenkinsRecords.runRecord(executable, gearmanUuidOf(executable))
                }
            }
            computer?.getOneOffExecutors()?.each { executor ->
                def executable = executor.getCurrentExecutable()
                String uuid = GearmanJenkinsPipelines.isPipelineRun(executable) ? gearmanUuidOf(executable) : null
                if (uuid != null) {
                    found << GearmanJenkinsRecords.runRecord(executable, uuid, records.get(uuid)?.node as String)
                }
            }
        }
        return found
    }

    /** Everything the controller needs to start over; `withRecords` adds the finished Gearman builds. */
    Map inventory(boolean withRecords) {
        Map reply = [
            seq: events.lastSeq(),
            version: version,
            quieting_down: Jenkins.get().isQuietingDown(),
            nodes: shapes.nodes(),
            jobs: shapes.jobs(),
            running: runningBuilds(),
            builds: records.inFlight(),
            held: heldByNode(),
            records_complete: records.complete,
            stats: stats.snapshot(),
            lease: lease.state(),
        ]
        if (withRecords) {
            reply.finished = records.finishedUuids()
        }
        return reply
    }
}
