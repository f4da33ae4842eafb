{#-
  Part of agent.groovy: the agent itself. It is the QueueTaskDispatcher that
  keeps pinned builds on their node and native builds off reserved executors,
  owns the other parts (event log, holds, records, shapes, operations), turns
  what the listeners hear into records and events, and hands its state to the
  agent that replaces it.

  Jenkins APIs: hudson/model/queue/QueueTaskDispatcher.java (canTake(Node,
  BuildableItem)), hudson/ExtensionList.java (lookup, add, remove),
  hudson/model/Queue.java (withLock, getItems, scheduleMaintenance),
  hudson/model/Computer.java (getExecutors, countIdle, setTemporaryOfflineCause
  since 2.482, setTemporarilyOffline before), hudson/model/Executor.java
  (getCurrentExecutable, getOwner), hudson/slaves/OfflineCause.java (ByCLI),
  hudson/model/listeners/SaveableListener.java, jenkins/model/Nodes.java
  (save: one file per node, nodes/NAME/config.xml), hudson/security/ACL.java,
  hudson/init/InitMilestone.java and jenkins/model/Jenkins.java (getInitLevel).
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
            Jenkins.get().getQueue().scheduleMaintenance()
        } catch (Exception e) {
            LOG.log(Level.WARNING, 'gearman-jenkins: could not carry over the previous agent state', e)
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
        if (saveable instanceof AbstractProject) {
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
        if (!(run instanceof AbstractBuild)) {
            return
        }
        String uuid = gearmanUuidOf(run)
        Map record = GearmanJenkinsRecords.runRecord(run, uuid)
        record.state = 'running'
        if (uuid != null) {
            records.track(record)
            releasePin(uuid)
        }
        events.emit('build_started', [build: record])
    }

    void buildCompleted(Run run) {
        if (!(run instanceof AbstractBuild)) {
            return
        }
        String uuid = gearmanUuidOf(run)
        Map record = GearmanJenkinsRecords.runRecord(run, uuid)
        long now = System.currentTimeMillis()
        record.state = 'finished'
        record.finished = now
        record.duration = Math.max(0L, now - run.getStartTimeInMillis())
        if (uuid != null) {
            record.node_offlined = offlineIfAsked(run, uuid)
            Long handoverMs = holds.handovers.remove(uuid)
            if (handoverMs != null && !record.node_offlined) {
                record.handover = holds.handOver(record.node as String, handoverMs)
            }
            records.finish(record)
        }
        events.emit('build_completed', [build: record])
    }

    /** OFFLINE_NODE_WHEN_COMPLETE: still on the executor, so no other build can take the node first. */
    private boolean offlineIfAsked(Run run, String uuid) {
        def flag = run.getAction(ParametersAction)?.getParameter(OFFLINE_PARAMETER)?.getValue()
        if (flag == null || !TRUE_VALUES.contains(flag as String)) {
            return false
        }
        Computer computer = run.getExecutor()?.getOwner() ?: run.getBuiltOn()?.toComputer()
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

    private CauseOfBlockage blockage(Node node, Queue.BuildableItem item) {
        String name = node.getNodeName()
        String uuid = GearmanJenkinsRecords.gearmanUuid(item)
        if (uuid != null && isOwnItem(item, uuid)) {
            String pinned = holds.pinOf(uuid)
            if (pinned != null && pinned != name) {
                return new GearmanJenkinsBlockage("Gearman build ${uuid} waits for node ${pinned ?: 'built-in'}")
            }
            return null
        }
        int reserved = holds.heldOn(name)
        if (reserved > 0) {
            Computer computer = node.toComputer()
            if (computer != null && computer.countIdle() <= reserved) {
                return new GearmanJenkinsBlockage("${reserved} executor(s) of ${name ?: 'built-in'} held for Gearman builds")
            }
        }
        return null
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

    static List<AbstractBuild> runningBuilds() {
        List<AbstractBuild> found = []
        GearmanJenkinsShapes.allNodes().each { Node n ->
            n.toComputer()?.getExecutors()?.each { executor ->
                def executable = executor.getCurrentExecutable()
                if (executable instanceof AbstractBuild) {
                    found << executable
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
            running: runningBuilds().collect { AbstractBuild run -> GearmanJenkinsRecords.runRecord(run, gearmanUuidOf(run)) },
            builds: records.inFlight(),
            held: holds.heldByNode(),
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
