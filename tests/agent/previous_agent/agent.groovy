{#-
  agent: the resident gearman-jenkins agent, installed once into a master and
  kept in its memory. Later calls are tiny scripts that find it through the
  QueueTaskDispatcher extension list and call its methods.

  Installing is idempotent: an agent of the same version is left alone; one
  of another version is replaced: the new agent takes its bookkeeping (pins,
  reservations, build records) and registers first, then the old one is shut
  down (its listeners and dispatcher removed), so that no queue maintenance
  runs without a dispatcher holding the pins.

  Nothing this agent attaches to what Jenkins persists is an instance of a
  class defined here: builds are marked with core classes only (a
  ParametersAction holding GEARMAN_UUID, a CauseAction with
  Cause.RemoteCause("gearman", uuid)); pinning a queued build to its node
  is done by this QueueTaskDispatcher, in memory.

  Payload: {"nonce", "version", "event_limit"}
  Reply:   {"installed": bool, "replaced": [old versions], "epoch", "version"}

  Jenkins APIs, by core source file:
    jenkins/model/Jenkins.java        get, getNodes, getNode, getComputer, getItemByFullName,
                                      getAllItems, getQueue, isQuietingDown
    hudson/ExtensionList.java         lookup, add, remove
    hudson/model/queue/QueueTaskDispatcher.java   canTake(Node, Queue.BuildableItem)
    hudson/model/queue/CauseOfBlockage.java       getShortDescription
    hudson/model/listeners/RunListener.java       onStarted, onCompleted
    hudson/model/listeners/ItemListener.java      onCreated, onUpdated, onDeleted, onLocationChanged
    hudson/slaves/ComputerListener.java           onOnline, onOffline, onTemporarilyOnline/Offline,
                                                  onConfigurationChange
    jenkins/model/NodeListener.java               onCreated, onUpdated, onDeleted
    hudson/model/queue/QueueListener.java         onLeft
    hudson/model/listeners/SaveableListener.java  onChange (job and node saves no other listener reports)
    hudson/model/Queue.java           schedule2, getItems, cancel, withLock, scheduleMaintenance
    hudson/model/ParametersAction.java            ParametersAction(List, Collection) (safe names)
    hudson/model/StringParameterValue.java, hudson/model/CauseAction.java, hudson/model/Cause.java
    hudson/model/Executor.java        interrupt(Result)
    hudson/model/Computer.java        countIdle, getChannel, isOffline, isTemporarilyOffline,
                                      setTemporaryOfflineCause (setTemporarilyOffline before 2.4xx)
    hudson/slaves/OfflineCause.java   OfflineCause.ByCLI
    hudson/model/AbstractProject.java getAssignedLabel, isDisabled, isBuildable, getBuildByNumber
    hudson/model/Run.java             getUrl, getResult, isBuilding, getExecutor, setDescription,
                                      getEstimatedDuration, getStartTimeInMillis
-#}
import hudson.model.AbstractBuild
import hudson.model.AbstractProject
import hudson.model.Cause
import hudson.model.CauseAction
import hudson.model.Computer
import hudson.model.Item
import hudson.model.Node
import hudson.model.ParametersAction
import hudson.model.Queue
import hudson.model.Result
import hudson.model.Run
import hudson.model.StringParameterValue
import hudson.model.TaskListener
import hudson.model.listeners.ItemListener
import hudson.model.listeners.RunListener
import hudson.model.listeners.SaveableListener
import hudson.model.Saveable
import hudson.XmlFile
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.QueueListener
import hudson.model.queue.QueueTaskDispatcher
import hudson.slaves.ComputerListener
import hudson.slaves.OfflineCause
import jenkins.model.Jenkins
import jenkins.model.NodeListener

import java.util.concurrent.ConcurrentHashMap
import java.util.logging.Level
import java.util.logging.Logger

class GearmanJenkinsAgent extends QueueTaskDispatcher {
    static final Logger LOG = Logger.getLogger('gearman-jenkins')
    static final String UUID_PARAMETER = 'GEARMAN_UUID'
    static final String OFFLINE_PARAMETER = 'OFFLINE_NODE_WHEN_COMPLETE'
    static final Set<String> TRUE_VALUES = ['1', 'true', 'True', 'TRUE'] as Set
    static final int RECORD_LIMIT = 20000
    static final long TICK_MS = 200L

    final String version
    final String epoch = UUID.randomUUID().toString()
    final int eventLimit
    volatile boolean stopped = false

    // Events: a bounded log with gapless sequence numbers, guarded by eventLock.
    private final Object eventLock = new Object()
    private final ArrayDeque<Map> eventLog = new ArrayDeque<Map>()
    private long lastSeq = 0
    // The node and job shapes last announced, so that only changes become events.
    private final Map<String, Map> nodeShapes = [:]
    private final Map<String, Map> jobShapes = [:]

    // Executors held for Gearman builds, per node name: reservations granted to
    // workers about to grab a job, and pins of scheduled builds not yet started.
    // Guarded by holdLock; never call into Jenkins while holding it, because
    // Queue.maintain calls canTake with the queue lock held.
    private final Object holdLock = new Object()
    final Map<String, Map> reservations = [:]     // reservation id -> [node, expires]
    final Map<String, String> pins = [:]          // uuid -> node name
    final Map<String, Long> handovers = new ConcurrentHashMap<String, Long>()  // uuid -> reservation TTL at completion
    private final Map<String, Integer> held = [:] // node name -> reservations + pins
    private final Object scheduleLock = new Object()

    // What the agent knows of each Gearman build, by uuid (bounded, oldest finished first out).
    final Map<String, Map> records = new ConcurrentHashMap<String, Map>()
    private final ArrayDeque<String> finishedOrder = new ArrayDeque<String>()

    private final List registrations = []
    private Timer timer
    private boolean quietingDown
    private boolean nodeRefreshScheduled = false

    GearmanJenkinsAgent(String version, int eventLimit) {
        this.version = version
        this.eventLimit = eventLimit
    }

    // ---- life cycle -------------------------------------------------------

    void start(List previous) {
        previous.each { adopt(it) }
        indexQueueAndExecutors()
        synchronized (eventLock) {
            allNodes().each { Node n -> nodeShapes[nodeName(n)] = nodeShape(n) }
            allJobs().each { AbstractProject j -> jobShapes[j.getFullName()] = jobShape(j) }
        }
        quietingDown = Jenkins.get().isQuietingDown()
        register(QueueTaskDispatcher, this)
        register(RunListener, new GearmanJenkinsRunListener(this))
        register(ItemListener, new GearmanJenkinsItemListener(this))
        register(ComputerListener, new GearmanJenkinsComputerListener(this))
        register(NodeListener, new GearmanJenkinsNodeListener(this))
        register(QueueListener, new GearmanJenkinsQueueListener(this))
        register(SaveableListener, new GearmanJenkinsSaveableListener(this))
        timer = new Timer("gearman-jenkins agent ${epoch}", true)
        // Quiet-down has no listener and reservations expire by time: look often enough
        // that either is noticed well within the controller's 1 s event budget.
        timer.schedule(new GearmanJenkinsTask('watchdog', { tick() }), TICK_MS, TICK_MS)
        LOG.info("gearman-jenkins agent ${version} started, epoch ${epoch}")
    }

    private void register(Class type, Object extension) {
        hudson.ExtensionList.lookup(type).add(extension)
        registrations << [type, extension]
    }

    void shutdown() {
        stopped = true
        timer?.cancel()
        registrations.each { pair -> hudson.ExtensionList.lookup(pair[0]).remove(pair[1]) }
        registrations.clear()
        synchronized (eventLock) { eventLock.notifyAll() }
        Jenkins.get().getQueue().scheduleMaintenance()
        LOG.info("gearman-jenkins agent ${version} stopped, epoch ${epoch}")
    }

    /** Carries an older install's bookkeeping over (it lives in another class loader). */
    private void adopt(Object old) {
        try {
            synchronized (holdLock) {
                old.pins.each { uuid, node -> pins[uuid as String] = node as String; hold(node as String, 1) }
                old.reservations.each { id, r -> reservations[id as String] = [node: r.node, expires: r.expires]; hold(r.node as String, 1) }
            }
            old.records.each { uuid, record -> records[uuid as String] = new LinkedHashMap(record) }
        } catch (Exception e) {
            LOG.log(Level.WARNING, 'gearman-jenkins: could not carry over the previous agent state', e)
        }
    }

    /** After a restart nothing is in memory: find Gearman builds by their GEARMAN_UUID parameter. */
    private void indexQueueAndExecutors() {
        Jenkins.get().getQueue().getItems().each { Queue.Item item ->
            String uuid = uuidOf(item)
            if (uuid != null && !records.containsKey(uuid)) {
                records[uuid] = [uuid: uuid, job: item.task.getFullName(), queue_id: item.getId(), state: 'queued']
            }
        }
        runningBuilds().each { AbstractBuild run ->
            String uuid = uuidOf(run)
            if (uuid != null) {
                records[uuid] = runRecord(run, uuid)
            }
        }
    }

    void tick() {
        if (stopped) {
            return
        }
        boolean quiet = Jenkins.get().isQuietingDown()
        if (quiet != quietingDown) {
            quietingDown = quiet
            emit('quiet_down', [quieting_down: quiet])
        }
        boolean expired = false
        long now = System.currentTimeMillis()
        synchronized (holdLock) {
            reservations.findAll { id, r -> r.expires < now }.each { id, r ->
                reservations.remove(id)
                hold(r.node, -1)
                expired = true
            }
        }
        if (expired) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
    }

    // ---- events -----------------------------------------------------------

    void emit(String type, Map data) {
        synchronized (eventLock) {
            data.type = type
            data.seq = ++lastSeq
            data.time = System.currentTimeMillis()
            eventLog.addLast(data)
            while (eventLog.size() > eventLimit) {
                eventLog.removeFirst()
            }
            eventLock.notifyAll()
        }
    }

    Map events(long after, long timeoutMs, long lingerMs, int max) {
        synchronized (eventLock) {
            long deadline = System.currentTimeMillis() + timeoutMs
            while (lastSeq <= after && !stopped) {
                long remaining = deadline - System.currentTimeMillis()
                if (remaining <= 0) {
                    break
                }
                eventLock.wait(remaining)
            }
            if (lastSeq > after && lingerMs > 0 && !stopped) {
                // Gather what happens in the next moments into the same reply.
                eventLock.wait(lingerMs)
            }
            long oldest = eventLog.isEmpty() ? lastSeq + 1 : eventLog.peekFirst().seq
            if (after + 1 < oldest && after < lastSeq) {
                return [gap: true, events: [], last_seq: lastSeq, stopped: stopped]
            }
            List found = []
            Iterator<Map> newestFirst = eventLog.descendingIterator()
            while (newestFirst.hasNext()) {
                Map event = newestFirst.next()
                if (event.seq <= after) {
                    break
                }
                found << event
            }
            found = found.reverse().take(max)
            return [gap: false, events: found, last_seq: found ? found[-1].seq : after, stopped: stopped]
        }
    }

    // ---- shapes of nodes and jobs ------------------------------------------

    static String nodeName(Node node) {
        return node.getNodeName()
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
        boolean temporarilyOffline = computer != null && computer.isTemporarilyOffline()
        return [
            name: nodeName(node),
            labels: node.getAssignedLabels().collect { it.getName() }.sort(),
            mode: node.getMode().name(),
            executors: node.getNumExecutors(),
            // Connected, whatever the temporary offline mark says (Computer.isOffline() folds both).
            online: computer != null && computer.getChannel() != null,
            temporarily_offline: temporarilyOffline,
        ]
    }

    static Map jobShape(AbstractProject job) {
        return [
            name: job.getFullName(),
            label: job.getAssignedLabel()?.getName(),
            disabled: job.isDisabled(),
            buildable: job.isBuildable(),
            concurrent: job.isConcurrentBuild(),
        ]
    }

    void refreshNode(Node node) {
        Map shape = nodeShape(node)
        boolean changed
        synchronized (eventLock) {
            changed = nodeShapes[shape.name] != shape
            nodeShapes[shape.name] = shape
        }
        if (changed) {
            emit('node', [node: shape])
            if (!shape.online || shape.temporarily_offline) {
                unpinNode(shape.name)
            }
        }
    }

    void nodeRemoved(String name) {
        boolean known
        synchronized (eventLock) {
            known = nodeShapes.remove(name) != null
        }
        if (known) {
            emit('node_removed', [name: name])
        }
        unpinNode(name)
    }

    /**
     * Something saved the node list or Jenkins' own configuration without
     * naming a node: compare every node once, shortly, however many saves
     * come in the meantime (a script relabelling 5000 nodes saves 5000 times).
     */
    void nodesMayHaveChanged() {
        synchronized (this) {
            if (nodeRefreshScheduled || stopped) {
                return
            }
            nodeRefreshScheduled = true
        }
        timer.schedule(new GearmanJenkinsTask('node refresh', { refreshAllNodesNow() }), 200L)
    }

    void refreshAllNodesNow() {
        synchronized (this) {
            nodeRefreshScheduled = false
        }
        refreshAllNodes()
    }

    void refreshAllNodes() {
        Set<String> present = [] as Set
        allNodes().each { Node n ->
            present << nodeName(n)
            refreshNode(n)
        }
        List<String> gone
        synchronized (eventLock) {
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
        synchronized (eventLock) {
            changed = jobShapes[shape.name] != shape
            jobShapes[shape.name] = shape
        }
        if (changed) {
            emit('job', [job: shape])
        }
    }

    void jobRemoved(String fullName) {
        boolean known
        synchronized (eventLock) {
            known = jobShapes.remove(fullName) != null
        }
        if (known) {
            emit('job_removed', [name: fullName])
        }
    }

    void jobMoved(Item item, String oldFullName) {
        if (item instanceof AbstractProject && oldFullName != item.getFullName()) {
            jobRemoved(oldFullName)
            refreshJob(item)
        }
    }

    // ---- builds -----------------------------------------------------------

    static String uuidOf(Object actionable) {
        ParametersAction parameters = actionable.getAction(ParametersAction)
        def value = parameters?.getParameter(UUID_PARAMETER)?.getValue()
        if (value != null) {
            return value as String
        }
        CauseAction causes = actionable.getAction(CauseAction)
        Cause.RemoteCause cause = causes?.getCauses()?.find { it instanceof Cause.RemoteCause && it.getAddr() == 'gearman' }
        return cause?.getNote()
    }

    static List<AbstractBuild> runningBuilds() {
        List<AbstractBuild> found = []
        allNodes().each { Node n ->
            n.toComputer()?.getExecutors()?.each { executor ->
                def executable = executor.getCurrentExecutable()
                if (executable instanceof AbstractBuild) {
                    found << executable
                }
            }
        }
        return found
    }

    static Map runRecord(AbstractBuild run, String uuid) {
        // builtOn is set only once the build's steps begin, after onStarted;
        // the executor knows the node from the start.
        Computer computer = run.getExecutor()?.getOwner()
        Node node = computer != null ? computer.getNode() : run.getBuiltOn()
        return [
            uuid: uuid,
            job: run.getParent().getFullName(),
            number: run.getNumber(),
            url: run.getUrl(),
            node: computer != null ? computer.getName() : (run.getBuiltOnStr() ?: ''),
            node_labels: node == null ? [] : node.getAssignedLabels().collect { it.getName() }.sort(),
            executor: run.getExecutor()?.getNumber(),
            estimated_duration: run.getEstimatedDuration(),
            started: run.getStartTimeInMillis(),
            state: run.isBuilding() ? 'running' : 'finished',
            result: run.getResult()?.toString(),
            description: run.getDescription(),
        ]
    }

    void buildStarted(Run run) {
        if (!(run instanceof AbstractBuild)) {
            return
        }
        String uuid = uuidOf(run)
        Map record = runRecord(run, uuid)
        record.state = 'running'
        if (uuid != null) {
            Map previous = records[uuid]
            if (previous?.queue_id != null) {
                record.queue_id = previous.queue_id
            }
            records[uuid] = record
            unpin(uuid)
        }
        emit('build_started', [build: record])
    }

    void buildCompleted(Run run) {
        if (!(run instanceof AbstractBuild)) {
            return
        }
        String uuid = uuidOf(run)
        Map record = runRecord(run, uuid)
        record.state = 'finished'
        record.duration = Math.max(0L, System.currentTimeMillis() - run.getStartTimeInMillis())
        record.node_offlined = false
        if (uuid != null) {
            def flag = run.getAction(ParametersAction)?.getParameter(OFFLINE_PARAMETER)?.getValue()
            if (flag != null && TRUE_VALUES.contains(flag as String)) {
                // Still on the executor: no other build can take it before this returns.
                Computer computer = run.getExecutor()?.getOwner() ?: run.getBuiltOn()?.toComputer()
                if (computer != null) {
                    setOffline(computer, true, "gearman-jenkins: ${OFFLINE_PARAMETER} set by Gearman job ${uuid} (${run.getFullDisplayName()})")
                    record.node_offlined = true
                }
            }
            Long handoverMs = handovers.remove(uuid)
            if (handoverMs != null && !record.node_offlined) {
                record.handover = handOver(record.node as String, handoverMs)
            }
            Map previous = records[uuid]
            if (previous?.queue_id != null) {
                record.queue_id = previous.queue_id
            }
            records[uuid] = record
            rememberFinished(uuid)
        }
        emit('build_completed', [build: record])
    }

    void queueItemLeft(Queue.LeftItem item) {
        if (!item.isCancelled()) {
            return
        }
        String uuid = uuidOf(item)
        if (uuid == null) {
            return
        }
        unpin(uuid)
        handovers.remove(uuid)
        Map record = [uuid: uuid, job: item.task.getFullName(), queue_id: item.getId(), state: 'cancelled']
        records[uuid] = record
        rememberFinished(uuid)
        emit('queue_cancelled', [build: record])
    }

    private void rememberFinished(String uuid) {
        synchronized (finishedOrder) {
            finishedOrder.addLast(uuid)
            while (finishedOrder.size() > RECORD_LIMIT) {
                String oldest = finishedOrder.removeFirst()
                if (records[oldest]?.state in ['finished', 'cancelled']) {
                    records.remove(oldest)
                }
            }
        }
    }

    /** The record of a uuid: in memory, else in the queue, else on an executor. */
    Map lookup(String uuid) {
        Map record = records[uuid]
        if (record != null) {
            return record
        }
        Queue.Item item = Jenkins.get().getQueue().getItems().find { uuidOf(it) == uuid }
        if (item != null) {
            record = [uuid: uuid, job: item.task.getFullName(), queue_id: item.getId(), state: 'queued']
            records[uuid] = record
            return record
        }
        AbstractBuild run = runningBuilds().find { uuidOf(it) == uuid }
        if (run != null) {
            record = runRecord(run, uuid)
            records[uuid] = record
        }
        return record
    }

    /** Slow path for a uuid the agent never saw (e.g. after a restart): recent builds of every job. */
    Map findInHistory(String uuid, int perJob) {
        for (AbstractProject job : allJobs()) {
            // Walk the newest builds only: RunList loads build records lazily.
            Iterator runs = job.getBuilds().iterator()
            for (int i = 0; i < perJob && runs.hasNext(); i++) {
                def run = runs.next()
                if (run instanceof AbstractBuild && uuidOf(run) == uuid) {
                    Map record = runRecord(run, uuid)
                    records[uuid] = record
                    return record
                }
            }
        }
        return null
    }

    // ---- holding executors for Gearman builds ------------------------------

    private void hold(String node, int delta) {
        int count = (held[node] ?: 0) + delta
        if (count > 0) {
            held[node] = count
        } else {
            held.remove(node)
        }
    }

    int heldOn(String node) {
        synchronized (holdLock) {
            return held[node] ?: 0
        }
    }

    private void pin(String uuid, String node, String reservation) {
        synchronized (holdLock) {
            Map r = reservation == null ? null : reservations.remove(reservation)
            if (r != null) {
                hold(r.node, -1)
            }
            String previous = pins.put(uuid, node)
            if (previous != null) {
                hold(previous, -1)
            }
            hold(node, 1)
        }
    }

    private void unpin(String uuid) {
        boolean released = false
        synchronized (holdLock) {
            String node = pins.remove(uuid)
            if (node != null) {
                hold(node, -1)
                released = true
            }
        }
        if (released) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
    }

    /** Whether the node exists, is connected and not marked temporarily offline. */
    static boolean canRunOn(String name) {
        Computer computer = name == null ? null : nodeNamed(name)?.toComputer()
        return computer != null && computer.getChannel() != null && !computer.isTemporarilyOffline()
    }

    /** A node that went away or offline releases its pinned builds to any node their label allows. */
    private void unpinNode(String node) {
        List<String> uuids
        synchronized (holdLock) {
            uuids = pins.findAll { uuid, pinned -> pinned == node }.collect { it.key }
        }
        uuids.each { unpin(it) }
    }

    @Override
    CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
        String name = nodeName(node)
        String uuid = uuidOf(item)
        if (uuid != null) {
            String pinned
            synchronized (holdLock) {
                pinned = pins[uuid]
            }
            if (pinned != null && pinned != name) {
                return new GearmanJenkinsBlockage("Gearman build ${uuid} waits for node ${pinned ?: 'built-in'}")
            }
            return null
        }
        int reserved = heldOn(name)
        if (reserved > 0) {
            Computer computer = node.toComputer()
            if (computer != null && computer.countIdle() <= reserved) {
                return new GearmanJenkinsBlockage("${reserved} executor(s) of ${name ?: 'built-in'} held for Gearman builds")
            }
        }
        return null
    }

    // ---- the batch call ----------------------------------------------------

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
                LOG.log(Level.WARNING, "gearman-jenkins: a ${op.op} operation failed", e)
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
            case 'offline': return offline(op)
            case 'find': return find(op)
            default: return [status: 'error', reason: "unknown operation ${op.op}".toString()]
        }
    }

    static String oneLine(Throwable e) {
        String text = "${e.getClass().getName()}: ${e.getMessage()}".replaceAll(/\s+/, ' ')
        return text.length() > 300 ? text.substring(0, 300) + '...' : text
    }

    Map reserve(String name, int count, long ttlMs) {
        Node node = nodeNamed(name)
        Computer computer = node?.toComputer()
        if (computer == null || computer.isOffline() || !computer.isAcceptingTasks() || Jenkins.get().isQuietingDown()) {
            return [granted: []]
        }
        int idle = computer.countIdle()
        List<String> granted = []
        synchronized (holdLock) {
            int free = idle - (held[name] ?: 0)
            int n = Math.max(0, Math.min(count, free))
            long expires = System.currentTimeMillis() + ttlMs
            n.times {
                String id = UUID.randomUUID().toString()
                reservations[id] = [node: name, expires: expires]
                hold(name, 1)
                granted << id
            }
        }
        return [granted: granted]
    }

    /**
     * A finished Gearman build hands its executor to the controller as a
     * reservation (the executor is still busy with it, so nothing can slip
     * in), so that the worker's next grab needs no reserve round trip.
     * Unused, it expires after ttlMs like any reservation.
     */
    String handOver(String node, long ttlMs) {
        String id = UUID.randomUUID().toString()
        synchronized (holdLock) {
            reservations[id] = [node: node, expires: System.currentTimeMillis() + ttlMs]
            hold(node, 1)
        }
        return id
    }

    Map release(List ids) {
        int released = 0
        synchronized (holdLock) {
            ids.each { id ->
                Map r = reservations.remove(id as String)
                if (r != null) {
                    hold(r.node, -1)
                    released++
                }
            }
        }
        if (released > 0) {
            Jenkins.get().getQueue().scheduleMaintenance()
        }
        return [released: released]
    }

    /**
     * Queues one Gearman build, once per uuid: the look-up and the queueing happen under
     * scheduleLock, so two requests carrying the same uuid at once (a client's retry, a
     * re-delivered Gearman job) make one build. Nothing that holds the queue lock ever
     * waits for scheduleLock (canTake only takes holdLock), so this cannot deadlock.
     */
    Map schedule(Map op) {
        synchronized (scheduleLock) {
            return scheduleOnce(op)
        }
    }

    private Map scheduleOnce(Map op) {
        if (!(op.uuid instanceof String) || op.uuid.isEmpty()) {
            release(op.reservation == null ? [] : [op.reservation])
            return [status: 'rejected', reason: 'the operation carries no uuid']
        }
        String uuid = op.uuid
        Map known = lookup(uuid)
        if (known != null) {
            release(op.reservation == null ? [] : [op.reservation])
            return [status: 'existing', build: known]
        }
        AbstractProject job = Jenkins.get().getItemByFullName(op.job as String, AbstractProject)
        if (job == null) {
            release(op.reservation == null ? [] : [op.reservation])
            return [status: 'rejected', reason: 'no such job on this master']
        }
        if (!job.isBuildable()) {
            release(op.reservation == null ? [] : [op.reservation])
            return [status: 'rejected', reason: 'the job is disabled']
        }
        if (op.params != null && !(op.params instanceof Map)) {
            release(op.reservation == null ? [] : [op.reservation])
            return [status: 'rejected', reason: 'the parameters must be a JSON object']
        }
        Map parameters = new LinkedHashMap((op.params ?: [:]) as Map)
        parameters[UUID_PARAMETER] = uuid
        List values = parameters.collect { k, v -> new StringParameterValue(k as String, v as String) }
        List actions = [new ParametersAction(values, parameters.keySet() as List),
                        new CauseAction(new Cause.RemoteCause('gearman', uuid))]
        if (op.handover_ms) {
            handovers[uuid] = op.handover_ms as long
        }
        pin(uuid, op.node as String, op.reservation as String)
        // A node that went away or offline since its reservation has already released its
        // pins (unpinNode); checked after pinning, so that no removal slips in between.
        if (!canRunOn(op.node as String)) {
            unpin(uuid)
        }
        def result = Jenkins.get().getQueue().schedule2(job, 0, actions)
        if (result.isRefused()) {
            unpin(uuid)
            return [status: 'rejected', reason: 'Jenkins refused to queue the build']
        }
        Queue.Item item = result.getItem()
        Map record = [uuid: uuid, job: job.getFullName(), queue_id: item.getId(), state: 'queued', node: op.node]
        // The build may have started (and even finished) on another thread already.
        records.putIfAbsent(uuid, record)
        return [status: 'queued', queue_id: item.getId()]
    }

    Map stop(Map op) {
        if (op.uuid != null) {
            return stopUuid(op.uuid as String)
        }
        def job = Jenkins.get().getItemByFullName(op.job as String, hudson.model.Job)
        def run = job?.getBuildByNumber(op.number as int)
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
        Map record = lookup(uuid)
        if (record == null) {
            return [status: 'not_found']
        }
        if (record.state == 'queued') {
            // Look the item up and cancel it under the queue lock: outside it, getItems()
            // may still show an item object that maintenance has since replaced (waiting ->
            // buildable), and cancelling that stale object silently does nothing.
            Queue queue = Jenkins.get().getQueue()
            boolean cancelled = false
            Queue.withLock({
                Queue.Item item = queue.getItems().find { uuidOf(it) == uuid }
                cancelled = item != null && queue.cancel(item)
            } as Runnable)
            if (cancelled) {
                return [status: 'dequeued', build: records[uuid] ?: record]
            }
            record = records[uuid] ?: record
        }
        if (record.state == 'running') {
            def job = Jenkins.get().getItemByFullName(record.job as String, hudson.model.Job)
            def run = job?.getBuildByNumber(record.number as int)
            if (run != null && run.isBuilding() && run.getExecutor() != null) {
                run.getExecutor().interrupt(Result.ABORTED)
                return [status: 'aborted', build: record]
            }
        }
        return [status: 'finished', build: records[uuid] ?: record]
    }

    Map describe(Map op) {
        def job = Jenkins.get().getItemByFullName(op.job as String, hudson.model.Job)
        def run = job?.getBuildByNumber(op.number as int)
        if (run == null) {
            return [status: 'not_found']
        }
        run.setDescription(op.description as String)
        return [status: 'ok']
    }

    static void setOffline(Computer computer, boolean offline, String message) {
        OfflineCause cause = offline ? new OfflineCause.ByCLI(message) : null
        if (computer.metaClass.respondsTo(computer, 'setTemporaryOfflineCause', OfflineCause)) {
            computer.setTemporaryOfflineCause(cause)
        } else {
            computer.setTemporarilyOffline(offline, cause)
        }
    }

    Map offline(Map op) {
        Node node = nodeNamed(op.node as String)
        Computer computer = node?.toComputer()
        if (computer == null) {
            return [status: 'not_found']
        }
        setOffline(computer, op.offline as boolean, op.message as String)
        return [status: 'ok']
    }

    Map find(Map op) {
        Map record = lookup(op.uuid as String) ?: findInHistory(op.uuid as String, (op.per_job ?: 50) as int)
        return record == null ? [status: 'not_found'] : [status: 'found', build: record]
    }

    // ---- inventory ----------------------------------------------------------

    Map inventory() {
        long seq
        synchronized (eventLock) {
            seq = lastSeq
        }
        List running = runningBuilds().collect { AbstractBuild run -> runRecord(run, uuidOf(run)) }
        return [
            seq: seq,
            version: version,
            quieting_down: Jenkins.get().isQuietingDown(),
            nodes: allNodes().collect { nodeShape(it) },
            jobs: allJobs().collect { jobShape(it) },
            running: running,
            builds: records.values().findAll { it.state in ['queued', 'running'] } as List,
            held: heldSnapshot(),
        ]
    }

    private Map heldSnapshot() {
        synchronized (holdLock) {
            return new LinkedHashMap(held)
        }
    }
}

class GearmanJenkinsBlockage extends CauseOfBlockage {
    final String text

    GearmanJenkinsBlockage(String text) {
        this.text = text
    }

    @Override
    String getShortDescription() {
        return text
    }
}

/** One of the agent's timer jobs; a failure is logged and the timer keeps running. */
class GearmanJenkinsTask extends TimerTask {
    final String name
    final Closure body

    GearmanJenkinsTask(String name, Closure body) {
        this.name = name
        this.body = body
    }

    @Override
    void run() {
        try {
            body.call()
        } catch (Throwable t) {
            GearmanJenkinsAgent.LOG.log(Level.WARNING, "gearman-jenkins ${name} failed", t)
        }
    }
}

/** Sees what no other listener reports: a job's label set by a script, a node list written. */
class GearmanJenkinsSaveableListener extends SaveableListener {
    final def agent

    GearmanJenkinsSaveableListener(agent) {
        this.agent = agent
    }

    @Override
    void onChange(Saveable saveable, XmlFile file) {
        if (saveable instanceof AbstractProject) {
            agent.refreshJob(saveable)
        } else if (!(saveable instanceof Run)) {
            agent.nodesMayHaveChanged()
        }
    }
}

class GearmanJenkinsRunListener extends RunListener<Run> {
    final def agent

    GearmanJenkinsRunListener(agent) {
        super(Run)
        this.agent = agent
    }

    @Override
    void onStarted(Run run, TaskListener listener) {
        agent.buildStarted(run)
    }

    @Override
    void onCompleted(Run run, TaskListener listener) {
        agent.buildCompleted(run)
    }
}

class GearmanJenkinsItemListener extends ItemListener {
    final def agent

    GearmanJenkinsItemListener(agent) {
        this.agent = agent
    }

    @Override
    void onCreated(Item item) {
        agent.refreshJob(item)
    }

    @Override
    void onUpdated(Item item) {
        agent.refreshJob(item)
    }

    @Override
    void onDeleted(Item item) {
        agent.jobRemoved(item.getFullName())
    }

    @Override
    void onLocationChanged(Item item, String oldFullName, String newFullName) {
        agent.jobMoved(item, oldFullName)
    }
}

class GearmanJenkinsComputerListener extends ComputerListener {
    final def agent

    GearmanJenkinsComputerListener(agent) {
        this.agent = agent
    }

    private void refresh(Computer computer) {
        Node node = computer.getNode()
        if (node != null) {
            agent.refreshNode(node)
        }
    }

    @Override
    void onOnline(Computer computer, TaskListener listener) {
        refresh(computer)
    }

    @Override
    void onOffline(Computer computer, OfflineCause cause) {
        refresh(computer)
    }

    @Override
    void onTemporarilyOnline(Computer computer) {
        refresh(computer)
    }

    @Override
    void onTemporarilyOffline(Computer computer, OfflineCause cause) {
        refresh(computer)
    }

    @Override
    void onConfigurationChange() {
        agent.nodesMayHaveChanged()
    }
}

class GearmanJenkinsNodeListener extends NodeListener {
    final def agent

    GearmanJenkinsNodeListener(agent) {
        this.agent = agent
    }

    @Override
    protected void onCreated(Node node) {
        agent.refreshNode(node)
    }

    @Override
    protected void onUpdated(Node oldOne, Node newOne) {
        if (oldOne.getNodeName() != newOne.getNodeName()) {
            agent.nodeRemoved(oldOne.getNodeName())
        }
        agent.refreshNode(newOne)
    }

    @Override
    protected void onDeleted(Node node) {
        agent.nodeRemoved(node.getNodeName())
    }
}

class GearmanJenkinsQueueListener extends QueueListener {
    final def agent

    GearmanJenkinsQueueListener(agent) {
        this.agent = agent
    }

    @Override
    void onLeft(Queue.LeftItem item) {
        agent.queueItemLeft(item)
    }
}

{% include "_payload.groovy" %}
def installed = hudson.ExtensionList.lookup(QueueTaskDispatcher).findAll { it.getClass().getName() == 'GearmanJenkinsAgent' && !it.stopped }
def reply
if (installed.size() == 1 && installed[0].version == payload.version) {
    reply = [installed: false, replaced: [], epoch: installed[0].epoch, version: payload.version]
} else {
    // Strays of an interrupted install: any extension of ours not owned by a running agent.
    def owned = []
    installed.each { running ->
        try {
            owned.addAll(running.registrations.collect { it[1] })
        } catch (Exception e) {
            owned << running
        }
    }
    [QueueTaskDispatcher, RunListener, ItemListener, ComputerListener, NodeListener, QueueListener, SaveableListener].each { type ->
        def list = hudson.ExtensionList.lookup(type)
        list.findAll { it.getClass().getName().startsWith('GearmanJenkins') && !owned.any { mine -> mine.is(it) } }.each { list.remove(it) }
    }
    // The new agent takes over before the old ones go: were the old dispatcher removed
    // first, the next queue maintenance could hand a pinned build or a reserved executor
    // to any node in between.
    def agent = new GearmanJenkinsAgent(payload.version as String, payload.event_limit as int)
    agent.start(installed)
    installed.each { it.shutdown() }
    reply = [installed: true, replaced: installed.collect { it.version }, epoch: agent.epoch, version: payload.version]
}
{% include "_reply.groovy" %}
