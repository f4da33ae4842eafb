package hudson.model

import hudson.model.labels.LabelAssignmentAction
import hudson.model.queue.CauseOfBlockage
import hudson.model.queue.FoldableAction
import hudson.model.queue.FutureImpl
import hudson.model.queue.QueueListener
import hudson.model.queue.QueueTaskDispatcher
import hudson.model.queue.QueueTaskFuture
import hudson.model.queue.ScheduleResult
import hudson.model.queue.SubTask
import hudson.model.queue.WorkUnit
import hudson.model.queue.WorkUnitContext
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.locks.ReentrantLock
import java.util.function.Consumer
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkins.util.Listeners
import jenkins.util.NonLocalizable
import jenkinsdouble.QueueStore

/**
 * Mirrors core/src/main/java/hudson/model/Queue.java: the build queue.
 *
 * Life of an item: schedule2 makes a WaitingItem (quiet period); maintain() moves it to
 * BlockedItem (a CauseOfBlockage says why; a still-blocked item keeps its object before
 * 2.532 and is re-filed as a new BlockedItem since, when fatal causes also cancel) or
 * BuildableItem; a buildable item is handed
 * to a parked executor that its node, the label, every QueueTaskDispatcher and
 * quiet-down allow, and becomes pending; when the executor starts it becomes a
 * LeftItem, kept 5 minutes for getItem(id). cancel() also makes a LeftItem.
 * A FlyweightTask (a Pipeline run) does not wait for a parked executor: as soon as it
 * may run it starts on a OneOffExecutor of the built-in node (or of a node its label
 * names), going straight from waiting or blocked to pending, as Queue.makeBuildable and
 * makeFlyWeightTaskBuildable do in Jenkins.
 * Every transition fires QueueListener under the queue lock, as in Jenkins.
 * maintain() runs after every change that could start something (scheduleMaintenance)
 * and every 5 seconds.
 */
class Queue implements Saveable {
    private static final Logger LOGGER = Logger.getLogger(Queue.class.getName())
    private static final long LEFT_ITEM_TTL_MS = 5 * 60 * 1000L
    private static final long MAINTENANCE_PERIOD_MS = 5000L

    private final Set<WaitingItem> waitingList = new TreeSet<WaitingItem>()
    private final List<BlockedItem> blockedProjects = new ArrayList<BlockedItem>()
    private final List<BuildableItem> buildables = new ArrayList<BuildableItem>()
    private final List<BuildableItem> pendings = new ArrayList<BuildableItem>()
    private volatile Snapshot snapshot = new Snapshot(waitingList, blockedProjects, buildables, pendings)
    /** Jenkins: a Guava cache expiring 5 minutes after write. */
    private final LinkedHashMap<Long, LeftItem> leftItems = new LinkedHashMap<Long, LeftItem>()
    private final AtomicLong ids = new AtomicLong()
    private final ReentrantLock lock = new ReentrantLock()
    private final ScheduledExecutorService maintainer = Executors.newSingleThreadScheduledExecutor({ Runnable r ->
        Thread t = new Thread(r, "Periodic Jenkins queue maintenance")
        t.setDaemon(true)
        return t
    } as java.util.concurrent.ThreadFactory)
    /** At most one maintenance waiting to run (Jenkins' AtmostOneTaskExecutor). */
    private final Object maintenanceGate = new Object()
    private Future<?> pendingMaintenance

    Queue() {
        maintainer.scheduleWithFixedDelay({ runMaintenance() } as Runnable, MAINTENANCE_PERIOD_MS, MAINTENANCE_PERIOD_MS, TimeUnit.MILLISECONDS)
    }

    /** On the maintenance thread, as SYSTEM (Jenkins' AtmostOneTaskExecutor and MaintainTask impersonate SYSTEM). */
    private void runMaintenance() {
        synchronized (maintenanceGate) {
            pendingMaintenance = null
        }
        hudson.security.ACLContext ctx = hudson.security.ACL.as2(hudson.security.ACL.SYSTEM2)
        try {
            maintain()
        } catch (Throwable t) {
            LOGGER.log(Level.SEVERE, "queue maintenance failed", t)
        } finally {
            ctx.close()
        }
    }

    Future<?> scheduleMaintenance() {
        synchronized (maintenanceGate) {
            if (pendingMaintenance == null) {
                pendingMaintenance = maintainer.submit({ runMaintenance() } as Runnable)
            }
            return pendingMaintenance
        }
    }

    /** Stops the maintenance thread (the double's shutdown). */
    void shutdown() {
        maintainer.shutdownNow()
    }

    long nextId() {
        return ids.incrementAndGet()
    }

    /** The queue id counter (Jenkins' QueueIdStrategy state, persisted with the queue). */
    long getLastId() {
        return ids.get()
    }

    void setLastId(long id) {
        ids.set(Math.max(ids.get(), id))
    }

    // ---- scheduling -------------------------------------------------------------------

    WaitingItem schedule(Task p, int quietPeriod, List<Action> actions) {
        return schedule2(p, quietPeriod, actions).getCreateItem()
    }

    WaitingItem schedule(Task p, int quietPeriod) {
        return schedule(p, quietPeriod, new Action[0])
    }

    WaitingItem schedule(Task p, int quietPeriod, Action... actions) {
        return schedule2(p, quietPeriod, actions).getCreateItem()
    }

    ScheduleResult schedule2(Task p, int quietPeriod, Action... actions) {
        return schedule2(p, quietPeriod, Arrays.asList(actions))
    }

    boolean add(Task p, int quietPeriod) {
        return schedule(p, quietPeriod) != null
    }

    ScheduleResult schedule2(Task p, int quietPeriod, List<Action> actions) {
        List<Action> copy = new ArrayList<Action>()
        for (Action a : actions) {
            if (a != null) {
                copy.add(a)
            }
        }
        lock.lock()
        try {
            for (QueueDecisionHandler h : QueueDecisionHandler.all()) {
                if (!h.shouldSchedule(p, copy)) {
                    return ScheduleResult.refused()
                }
            }
            return scheduleInternal(p, quietPeriod, copy)
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    /**
     * An item for the same task is a duplicate unless some QueueAction, on either side,
     * says the two differ; duplicates absorb the new request (FoldableAction) and keep
     * the earlier of the two due times.
     */
    private ScheduleResult scheduleInternal(Task p, int quietPeriod, List<Action> actions) {
        Calendar due = new GregorianCalendar()
        due.add(Calendar.SECOND, quietPeriod)
        List<Item> duplicatesInQueue = new ArrayList<Item>()
        for (Item item : liveGetItems(p)) {
            boolean shouldScheduleItem = false
            for (QueueAction action : item.getActions(QueueAction.class)) {
                shouldScheduleItem |= action.shouldSchedule(actions)
            }
            for (Action action : actions) {
                if (action instanceof QueueAction) {
                    shouldScheduleItem |= ((QueueAction) action).shouldSchedule(new ArrayList<Action>(item.getAllActions()))
                }
            }
            if (!shouldScheduleItem) {
                duplicatesInQueue.add(item)
            }
        }
        if (duplicatesInQueue.isEmpty()) {
            WaitingItem added = new WaitingItem(due, p, actions)
            added.enter(this)
            scheduleMaintenance()
            return ScheduleResult.created(added)
        }
        for (Item item : duplicatesInQueue) {
            for (Action a : actions) {
                if (a instanceof FoldableAction) {
                    ((FoldableAction) a).foldIntoExisting(item, p, actions)
                }
            }
        }
        boolean queueUpdated = false
        for (Item i : duplicatesInQueue) {
            if (i instanceof WaitingItem) {
                WaitingItem wi = (WaitingItem) i
                if (wi.timestamp.before(due)) {
                    continue
                }
                wi.leave(this)
                wi.timestamp = due
                wi.enter(this)
                queueUpdated = true
            }
        }
        if (queueUpdated) {
            scheduleMaintenance()
        }
        return ScheduleResult.existing(duplicatesInQueue.get(0))
    }

    /** Blocked, buildable and waiting items of the task; pending ones are never duplicates. */
    private List<Item> liveGetItems(Task t) {
        List<Item> result = new ArrayList<Item>()
        for (Item item : blockedProjects) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        for (Item item : buildables) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        for (Item item : waitingList) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        return result
    }

    // ---- cancelling -------------------------------------------------------------------

    /** Cancels the first item of the task found (waiting first, then blocked and buildable). */
    boolean cancel(Task p) {
        lock.lock()
        try {
            for (WaitingItem item : new ArrayList<WaitingItem>(waitingList)) {
                if (item.task.equals(p)) {
                    return item.cancel(this)
                }
            }
            boolean r = false
            for (BlockedItem item : new ArrayList<BlockedItem>(blockedProjects)) {
                if (item.task.equals(p)) {
                    r = item.cancel(this)
                    break
                }
            }
            for (BuildableItem item : new ArrayList<BuildableItem>(buildables)) {
                if (item.task.equals(p)) {
                    r = item.cancel(this) | r
                    break
                }
            }
            return r
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    boolean cancel(Item item) {
        lock.lock()
        try {
            return item.cancel(this)
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    /** Cancels every item; needs Overall/Administer, as in Jenkins. */
    void clear() {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER)
        lock.lock()
        try {
            List<Item> all = new ArrayList<Item>(waitingList)
            all.addAll(blockedProjects)
            all.addAll(pendings)
            all.addAll(buildables)
            for (Item i : all) {
                i.cancel(this)
            }
        } finally {
            updateSnapshot()
            lock.unlock()
        }
        scheduleMaintenance()
    }

    // ---- reading ----------------------------------------------------------------------

    private void updateSnapshot() {
        snapshot = new Snapshot(waitingList, blockedProjects, buildables, pendings)
    }

    boolean isEmpty() {
        Snapshot s = this.snapshot
        return s.waitingList.isEmpty() && s.blockedProjects.isEmpty() && s.buildables.isEmpty() && s.pendings.isEmpty()
    }

    /**
     * Waiting, blocked, then buildable and pending items newest first, as Jenkins lists
     * them; only items whose task the current authentication may read (Item.READ or
     * Permission.READ; a task that is not AccessControlled is left out), as
     * Queue.checkPermissionsAndAddToList does: a thread acting as ANONYMOUS sees nothing
     * unless anonymous may read. getItem(id), getItems(Task) and the other lists do not filter.
     */
    Item[] getItems() {
        Snapshot s = this.snapshot
        List<Item> all = new ArrayList<Item>()
        all.addAll(s.waitingList)
        all.addAll(s.blockedProjects)
        all.addAll(reverse(s.buildables))
        all.addAll(reverse(s.pendings))
        List<Item> r = new ArrayList<Item>()
        for (Item i : all) {
            if (hasReadPermission(i.task, false)) {
                r.add(i)
            }
        }
        return r.toArray(new Item[r.size()])
    }

    private static boolean hasReadPermission(Task t, boolean valueIfNotAccessControlled) {
        if (t instanceof hudson.security.AccessControlled) {
            hudson.security.AccessControlled taskAC = (hudson.security.AccessControlled) t
            return taskAC.hasPermission(hudson.model.Item.READ) || taskAC.hasPermission(hudson.security.Permission.READ)
        }
        return valueIfNotAccessControlled
    }

    private static <T> List<T> reverse(List<T> l) {
        List<T> copy = new ArrayList<T>(l)
        Collections.reverse(copy)
        return copy
    }

    List<Item> getApproximateItemsQuickly() {
        return Arrays.asList(getItems())
    }

    /** A queued item, or the LeftItem of one that left less than 5 minutes ago. */
    Item getItem(long id) {
        Snapshot s = this.snapshot
        for (Item item : s.blockedProjects) {
            if (item.getId() == id) {
                return item
            }
        }
        for (Item item : s.buildables) {
            if (item.getId() == id) {
                return item
            }
        }
        for (Item item : s.pendings) {
            if (item.getId() == id) {
                return item
            }
        }
        for (Item item : s.waitingList) {
            if (item.getId() == id) {
                return item
            }
        }
        synchronized (leftItems) {
            expireLeftItems()
            return leftItems.get(id)
        }
    }

    Item getItem(Task t) {
        List<Item> items = getItems(t)
        return items.isEmpty() ? null : items.get(0)
    }

    List<Item> getItems(Task t) {
        Snapshot s = this.snapshot
        List<Item> result = new ArrayList<Item>()
        for (Item item : s.blockedProjects) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        for (Item item : s.buildables) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        for (Item item : s.pendings) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        for (Item item : s.waitingList) {
            if (item.task.equals(t)) {
                result.add(item)
            }
        }
        return result
    }

    boolean contains(Task t) {
        return getItem(t) != null
    }

    List<BuildableItem> getBuildableItems() {
        Snapshot s = this.snapshot
        List<BuildableItem> r = new ArrayList<BuildableItem>(s.buildables)
        r.addAll(s.pendings)
        return r
    }

    List<BuildableItem> getBuildableItems(Computer c) {
        Node node = c.getNode()
        List<BuildableItem> result = new ArrayList<BuildableItem>()
        if (node == null) {
            return result
        }
        for (BuildableItem p : getBuildableItems()) {
            if (node.canTake(p) == null) {
                result.add(p)
            }
        }
        return result
    }

    List<BuildableItem> getPendingItems() {
        return new ArrayList<BuildableItem>(snapshot.pendings)
    }

    protected List<BlockedItem> getBlockedItems() {
        return new ArrayList<BlockedItem>(snapshot.blockedProjects)
    }

    Collection<LeftItem> getLeftItems() {
        synchronized (leftItems) {
            expireLeftItems()
            return Collections.unmodifiableCollection(new ArrayList<LeftItem>(leftItems.values()))
        }
    }

    void clearLeftItems() {
        synchronized (leftItems) {
            leftItems.clear()
        }
    }

    private void expireLeftItems() {
        long oldest = System.currentTimeMillis() - LEFT_ITEM_TTL_MS
        Iterator<LeftItem> it = leftItems.values().iterator()
        while (it.hasNext()) {
            if (it.next().@leftAt < oldest) {
                it.remove()
            } else {
                break
            }
        }
    }

    List<Item> getUnblockedItems() {
        Snapshot s = this.snapshot
        List<Item> queuedNotBlocked = new ArrayList<Item>()
        queuedNotBlocked.addAll(s.waitingList)
        queuedNotBlocked.addAll(s.buildables)
        queuedNotBlocked.addAll(s.pendings)
        return queuedNotBlocked
    }

    Set<Task> getUnblockedTasks() {
        Set<Task> unblockedTasks = new HashSet<Task>()
        for (Item t : getUnblockedItems()) {
            unblockedTasks.add(t.task)
        }
        return unblockedTasks
    }

    boolean isPending(Task t) {
        for (BuildableItem i : snapshot.pendings) {
            if (i.task.equals(t)) {
                return true
            }
        }
        return false
    }

    int countBuildableItems() {
        Snapshot s = this.snapshot
        return s.buildables.size() + s.pendings.size()
    }

    // ---- execution --------------------------------------------------------------------

    /** The executor took the item: it leaves the queue as a LeftItem (Jenkins: package-private). */
    void onStartExecuting(Executor exec) {
        lock.lock()
        try {
            WorkUnit wu = exec.getCurrentWorkUnit()
            pendings.remove(wu.context.item)
            new LeftItem(wu.context).enter(this)
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    /** Runs the executable on the executor thread (Jenkins: protected). */
    protected void execute(Executable executable, SubTask task) {
        executable.run()
    }

    private CauseOfBlockage getCauseOfBlockageForItem(Item i) {
        CauseOfBlockage causeOfBlockage = i.task.getCauseOfBlockage()
        if (causeOfBlockage != null) {
            return causeOfBlockage
        }
        for (QueueTaskDispatcher d : QueueTaskDispatcher.all()) {
            try {
                causeOfBlockage = d.canRun(i)
            } catch (Throwable t) {
                LOGGER.log(Level.WARNING, "Exception evaluating if the queue can run the task '" + i.task.getName() + "'", t)
                causeOfBlockage = CauseOfBlockage.fromMessage(new NonLocalizable("Exception evaluating if the queue can run the task"))
            }
            if (causeOfBlockage != null) {
                return causeOfBlockage
            }
        }
        if (!(i instanceof BuildableItem)) {
            if (!i.task.isConcurrentBuild() && (containsTask(buildables, i.task) || containsTask(pendings, i.task))) {
                return CauseOfBlockage.fromMessage(new NonLocalizable("A build is already in progress"))
            }
        }
        return null
    }

    private static boolean containsTask(List<? extends Item> items, Task task) {
        for (Item item : items) {
            if (item.task.equals(task)) {
                return true
            }
        }
        return false
    }

    /**
     * One pass of Jenkins' Queue.maintain(): lost pendings back to buildable, blocked
     * items re-checked, waiting items whose quiet period is over moved on, then each
     * buildable item offered to the parked executors that may take it.
     */
    void maintain() {
        Jenkins jenkins = Jenkins.getInstanceOrNull()
        if (jenkins == null) {
            return
        }
        lock.lock()
        try {
            Map<Executor, JobOffer> parked = new LinkedHashMap<Executor, JobOffer>()
            List<BuildableItem> lostPendings = new ArrayList<BuildableItem>(pendings)
            for (Computer c : jenkins.getComputers()) {
                for (Executor e : c.getAllExecutors()) {
                    if (e.isParking()) {
                        parked.put(e, new JobOffer(e))
                    }
                    WorkUnit workUnit = e.getCurrentWorkUnit()
                    if (workUnit != null) {
                        lostPendings.remove(workUnit.context.item)
                    }
                }
            }
            for (BuildableItem p : lostPendings) {
                LOGGER.log(Level.FINE, "BuildableItem {0}: pending -> buildable as the assigned executor disappeared", p.task.getFullDisplayName())
                p.@isPending = false
                pendings.remove(p)
                Runnable r = makeBuildable(p)
                if (r != null) {
                    r.run()
                }
            }

            List<BlockedItem> blockedItems = new ArrayList<BlockedItem>(blockedProjects)
            Collections.sort(blockedItems, { Item a, Item b -> Long.compare(a.getInQueueSince(), b.getInQueueSince()) } as Comparator<Item>)
            for (BlockedItem p : blockedItems) {
                CauseOfBlockage causeOfBlockage = getCauseOfBlockageForItem(p)
                if (causeOfBlockage == null) {
                    // A flyweight task blocked by quiet-down stays as it is (makeBuildable gives null).
                    Runnable r = makeBuildable(new BuildableItem(p))
                    if (r != null) {
                        p.leave(this)
                        r.run()
                    }
                } else if (!jenkinsdouble.Versions.blockedItemRenewedEachMaintenance()) {
                    // Before 2.532: still blocked, the same item with the new reason.
                    p.setCauseOfBlockage(causeOfBlockage)
                } else if (causeOfBlockage.isFatal()) {
                    p.cancel(this)
                } else {
                    // Since 2.532: still blocked, re-filed as a new BlockedItem (onLeaveBlocked,
                    // onEnterBlocked), so an item a caller got from getItems() before is no longer queued.
                    p.leave(this)
                    new BlockedItem(p, causeOfBlockage).enter(this)
                }
                updateSnapshot()
            }

            while (!waitingList.isEmpty()) {
                WaitingItem top = waitingList.iterator().next()
                if (top.timestamp.compareTo(new GregorianCalendar()) > 0) {
                    break
                }
                boolean fatalCauses = jenkinsdouble.Versions.blockedItemRenewedEachMaintenance()
                if (!fatalCauses) {
                    // Before 2.532 the item leaves the waiting list before its cause is asked.
                    top.leave(this)
                }
                CauseOfBlockage causeOfBlockage = getCauseOfBlockageForItem(top)
                if (causeOfBlockage == null) {
                    top.leave(this)
                    Runnable r = makeBuildable(new BuildableItem(top))
                    if (r != null) {
                        r.run()
                    } else {
                        new BlockedItem(top, CauseOfBlockage.fromMessage(new NonLocalizable("Jenkins is about to shut down"))).enter(this)
                    }
                } else if (fatalCauses && causeOfBlockage.isFatal()) {
                    top.cancel(this)
                } else {
                    top.leave(this)
                    new BlockedItem(top, causeOfBlockage).enter(this)
                }
            }
            updateSnapshot()

            for (BuildableItem p : new ArrayList<BuildableItem>(buildables)) {
                CauseOfBlockage causeOfBlockage = getCauseOfBlockageForItem(p)
                if (causeOfBlockage != null) {
                    if (jenkinsdouble.Versions.blockedItemRenewedEachMaintenance() && causeOfBlockage.isFatal()) {
                        p.cancel(this)
                    } else {
                        p.leave(this)
                        new BlockedItem(p, causeOfBlockage).enter(this)
                    }
                    updateSnapshot()
                    continue
                }
                if (p.task instanceof FlyweightTask) {
                    Runnable r = makeFlyWeightTaskBuildable(new BuildableItem(p))
                    if (r != null) {
                        p.leave(this)
                        r.run()
                        updateSnapshot()
                    }
                    continue
                }
                List<JobOffer> candidates = new ArrayList<JobOffer>()
                Map<Node, CauseOfBlockage> reasonMap = new HashMap<Node, CauseOfBlockage>()
                for (JobOffer j : parked.values()) {
                    Node offerNode = j.getNode()
                    CauseOfBlockage reason
                    if (offerNode != null && reasonMap.containsKey(offerNode)) {
                        reason = j.@workUnit != null ? CauseOfBlockage.fromMessage(new NonLocalizable("Executor slot already in use")) : reasonMap.get(offerNode)
                    } else {
                        reason = j.getCauseOfBlockage(p)
                        if (offerNode != null) {
                            reasonMap.put(offerNode, reason)
                        }
                    }
                    if (reason == null) {
                        candidates.add(j)
                    }
                }
                JobOffer chosen = LoadBalancer.map(p.task, candidates)
                if (chosen == null) {
                    List<CauseOfBlockage> reasons = new ArrayList<CauseOfBlockage>()
                    for (CauseOfBlockage r : reasonMap.values()) {
                        if (r != null) {
                            reasons.add(r)
                        }
                    }
                    p.@transientCausesOfBlockage = reasons.isEmpty() ? null : reasons
                    continue
                }
                WorkUnitContext wuc = new WorkUnitContext(p)
                chosen.set(wuc.createWorkUnit(p.task))
                p.leave(this)
                p.@isPending = true
                pendings.add(p)
                updateSnapshot()
            }
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    /**
     * A thunk that moves an item on (after it left its list): into the buildables, or, for
     * a flyweight task that can start now, onto a one-off executor; null for a flyweight
     * task while Jenkins quiets down.
     */
    private Runnable makeBuildable(final BuildableItem p) {
        final Queue self = this
        if (p.task instanceof FlyweightTask) {
            if (!isBlockedByShutdown(p.task)) {
                Runnable runnable = makeFlyWeightTaskBuildable(p)
                if (runnable != null) {
                    return runnable
                }
                // JENKINS-30084: the node it must run on is not available; it waits as buildable.
                return { p.enter(self) } as Runnable
            }
            return null
        }
        return { p.enter(self) } as Runnable
    }

    /**
     * Where a flyweight task may run now: the built-in node when its label is the built-in
     * node's self label (a Pipeline run) or when it has no label and the built-in node can
     * take it; otherwise the first online node, in hash order of the task's name, whose
     * label matches and that can take it. Jenkins orders those nodes by a consistent hash
     * weighted by executor counts; the double by a rendezvous hash (documented difference).
     */
    private Runnable makeFlyWeightTaskBuildable(final BuildableItem p) {
        if (!(p.task instanceof FlyweightTask)) {
            return null
        }
        Jenkins h = Jenkins.get()
        Label lbl = p.getAssignedLabel()
        Computer masterComputer = h.toComputer()
        if (lbl != null && lbl.equals(h.getSelfLabel()) && masterComputer != null) {
            return h.canTake(p) == null ? createFlyWeightTaskRunnable(p, masterComputer) : null
        }
        if (lbl == null && h.canTake(p) == null && masterComputer != null && masterComputer.isOnline() && masterComputer.isAcceptingTasks()) {
            return createFlyWeightTaskRunnable(p, masterComputer)
        }
        final String key = p.task.getFullDisplayName()
        List<Node> nodes = new ArrayList<Node>(h.getNodes())
        Collections.sort(nodes, { Node a, Node b ->
            Integer.compare((key + "/" + b.getNodeName()).hashCode() * 0x9E3779B1, (key + "/" + a.getNodeName()).hashCode() * 0x9E3779B1)
        } as Comparator<Node>)
        for (Node n : nodes) {
            Computer c = n.toComputer()
            if (c == null || c.isOffline()) {
                continue
            }
            if (lbl != null && !lbl.contains(n)) {
                continue
            }
            if (n.canTake(p) != null) {
                continue
            }
            return createFlyWeightTaskRunnable(p, c)
        }
        return null
    }

    private Runnable createFlyWeightTaskRunnable(final BuildableItem p, final Computer c) {
        final Queue self = this
        return {
            c.startFlyWeightTask(new WorkUnitContext(p).createWorkUnit(p.task))
            self.makePending(p)
        } as Runnable
    }

    private boolean makePending(BuildableItem p) {
        p.@isPending = true
        return pendings.add(p)
    }

    static boolean isBlockedByShutdown(Task task) {
        return Jenkins.get().isQuietingDown() && !(task instanceof NonBlockingTask)
    }

    static Queue getInstance() {
        return Jenkins.get().getQueue()
    }

    // ---- locking ----------------------------------------------------------------------

    static void withLock(Runnable runnable) {
        Jenkins jenkins = Jenkins.getInstanceOrNull()
        Queue queue = jenkins == null ? null : jenkins.getQueue()
        if (queue == null) {
            runnable.run()
            return
        }
        queue.lock.lock()
        try {
            runnable.run()
        } finally {
            queue.lock.unlock()
        }
    }

    static void runWithLock(Runnable runnable) {
        withLock(runnable)
    }

    static <V> V withLock(Callable<V> callable) throws Exception {
        return callWithLock(callable)
    }

    static <V> V callWithLock(Callable<V> callable) throws Exception {
        Jenkins jenkins = Jenkins.getInstanceOrNull()
        Queue queue = jenkins == null ? null : jenkins.getQueue()
        if (queue == null) {
            return callable.call()
        }
        queue.lock.lock()
        try {
            return callable.call()
        } finally {
            queue.lock.unlock()
        }
    }

    static boolean tryWithLock(Runnable runnable) {
        Jenkins jenkins = Jenkins.getInstanceOrNull()
        Queue queue = jenkins == null ? null : jenkins.getQueue()
        if (queue == null) {
            runnable.run()
            return true
        }
        if (!queue.lock.tryLock()) {
            return false
        }
        try {
            runnable.run()
            return true
        } finally {
            queue.lock.unlock()
        }
    }

    static Runnable wrapWithLock(final Runnable runnable) {
        return { withLock(runnable) } as Runnable
    }

    // ---- persistence ------------------------------------------------------------------

    /**
     * Writes the items the current authentication sees (getItems(), as Jenkins does) to
     * $JENKINS_HOME/queue.json (Jenkins: queue.xml), then fires
     * SaveableListener.onChange(this queue, that file). Jenkins saves the queue on shutdown
     * and, through Queue.Saver, DELAY_SECONDS after an item enters the waiting list or
     * leaves the queue.
     */
    void save() {
        if (Jenkins.getInstanceOrNull() == null) {
            return
        }
        lock.lock()
        try {
            QueueStore.save(this, Arrays.asList(getItems()))
        } finally {
            lock.unlock()
        }
        hudson.model.listeners.SaveableListener.fireOnChange(this, new hudson.XmlFile(QueueStore.file()))
    }

    /**
     * Drops every queued item (as Jenkins' load does, "for the benefit of reloading": an
     * item scheduled before the queue loads at boot is lost), restores the items save()
     * wrote, then renames the file to queue.json.bak as Jenkins does.
     */
    void load() {
        lock.lock()
        try {
            waitingList.clear()
            blockedProjects.clear()
            buildables.clear()
            pendings.clear()
            QueueStore.load(this)
        } finally {
            updateSnapshot()
            lock.unlock()
        }
    }

    /** Queue.init, run at boot after the jobs are loaded: warns about items it is going to discard, then load(). */
    static void init(Jenkins h) {
        Queue queue = h.getQueue()
        Item[] items = queue.getItems()
        if (items.length > 0) {
            LOGGER.warning("Loading queue will discard previously scheduled items: " + Arrays.toString(items))
        }
        queue.load()
    }

    // ---- nested types -----------------------------------------------------------------

    /** Marks tasks that quiet-down does not block. */
    static interface NonBlockingTask extends Task {}

    /** Marks tasks that do not consume a configured executor: they run on a OneOffExecutor. */
    static interface FlyweightTask extends Task {}

    static interface TransientTask extends Task {}

    /**
     * Mirrors Queue.Task. Jenkins gives most of these default bodies; Groovy 2.4
     * interfaces cannot, so an implementation defines them all (documented difference).
     */
    static interface Task extends ModelObject, SubTask {
        String getName()
        String getFullDisplayName()
        String getUrl()
        boolean isBuildBlocked()
        String getWhyBlocked()
        CauseOfBlockage getCauseOfBlockage()
        boolean isConcurrentBuild()
        Collection<? extends SubTask> getSubTasks()
        String getAffinityKey()
        void checkAbortPermission()
        boolean hasAbortPermission()
    }

    /** Mirrors Queue.Executable: what an executor runs (a build). */
    static interface Executable extends Runnable {
        SubTask getParent()
        long getEstimatedDuration()
    }

    /** An action that decides whether a new request duplicates an item carrying it. */
    static interface QueueAction extends Action {
        boolean shouldSchedule(List<Action> actions)
    }

    /** May veto scheduling (Queue.schedule2 returns a refused result). */
    abstract static class QueueDecisionHandler implements hudson.ExtensionPoint {
        abstract boolean shouldSchedule(Task p, List<Action> actions)

        static hudson.ExtensionList<QueueDecisionHandler> all() {
            return hudson.ExtensionList.lookup(QueueDecisionHandler.class)
        }
    }

    /** A parked executor offered to a buildable item during maintain(). */
    static class JobOffer {
        final Executor executor
        protected WorkUnit workUnit

        JobOffer(Executor executor) {
            this.executor = executor
        }

        protected void set(WorkUnit p) {
            this.workUnit = p
            executor.start(workUnit)
        }

        Executor getExecutor() {
            return executor
        }

        boolean canTake(BuildableItem item) {
            return getCauseOfBlockage(item) == null
        }

        /** Node.canTake, then every dispatcher's canTake, then the computer's state. */
        CauseOfBlockage getCauseOfBlockage(BuildableItem item) {
            Node node = getNode()
            if (node == null) {
                return CauseOfBlockage.fromMessage(new NonLocalizable(executor.getOwner().getDisplayName() + " has been removed from configuration"))
            }
            CauseOfBlockage reason = node.canTake(item)
            if (reason != null) {
                return reason
            }
            for (QueueTaskDispatcher d : QueueTaskDispatcher.all()) {
                try {
                    reason = d.canTake(node, item)
                } catch (Throwable t) {
                    LOGGER.log(Level.WARNING, "Exception evaluating if the node '" + node.getNodeName() + "' can take the task '" + item.task.getName() + "'", t)
                    reason = CauseOfBlockage.fromMessage(new NonLocalizable("Exception evaluating if the node can take the task"))
                }
                if (reason != null) {
                    return reason
                }
            }
            if (workUnit != null) {
                return CauseOfBlockage.fromMessage(new NonLocalizable("Executor slot already in use"))
            }
            if (executor.getOwner().isOffline()) {
                return new CauseOfBlockage.BecauseNodeIsOffline(node)
            }
            if (!executor.getOwner().isAcceptingTasks()) {
                return new CauseOfBlockage.BecauseNodeIsNotAcceptingTasks(node)
            }
            return null
        }

        boolean isAvailable() {
            return workUnit == null && !executor.getOwner().isOffline() && executor.getOwner().isAcceptingTasks()
        }

        Node getNode() {
            return executor.getOwner().getNode()
        }

        boolean isNotExclusive() {
            return getNode().getMode() == Node.Mode.NORMAL
        }

        @Override
        String toString() {
            return String.format("JobOffer[%s #%d]", executor.getOwner().getName(), executor.getNumber())
        }
    }

    /**
     * Mirrors core/src/main/java/hudson/model/LoadBalancer.java's contract: nothing new
     * starts while Jenkins quiets down; otherwise one candidate executor. Jenkins orders
     * computers by a consistent hash of the task's affinity key; the double uses a
     * rendezvous hash of the same key and the computer name, which is likewise stable
     * per task and spreads different tasks (documented difference).
     */
    static class LoadBalancer {
        static JobOffer map(Task task, List<JobOffer> candidates) {
            if (isBlockedByShutdown(task) || candidates.isEmpty()) {
                return null
            }
            String key = task.getAffinityKey()
            JobOffer best = null
            int bestScore = 0
            for (JobOffer offer : candidates) {
                int score = (key + "/" + offer.getExecutor().getOwner().getName()).hashCode() * 0x9E3779B1
                if (best == null || score > bestScore || (score == bestScore && offer.getExecutor().getNumber() < best.getExecutor().getNumber())) {
                    best = offer
                    bestScore = score
                }
            }
            return best
        }
    }

    /** Mirrors Queue.Item: an entry of the queue, in whichever state. */
    abstract static class Item extends Actionable {
        private final long id
        public final Task task
        private transient FutureImpl future
        private final long inQueueSince

        protected Item(Task task, List<Action> actions, long id, FutureImpl future, long inQueueSince) {
            this.task = task
            this.id = id
            this.future = future
            this.inQueueSince = inQueueSince
            for (Action action : actions) {
                addAction(action)
            }
        }

        protected Item(Item item) {
            this(item.task, new ArrayList<Action>(item.getActions()), item.getId(), (FutureImpl) item.getFuture(), item.getInQueueSince())
        }

        long getId() { return id }

        Task getTask() { return task }

        boolean isBlocked() { return this instanceof BlockedItem }

        boolean isBuildable() { return this instanceof BuildableItem }

        boolean isStuck() { return false }

        long getInQueueSince() { return inQueueSince }

        QueueTaskFuture<Executable> getFuture() { return future }

        /** A LabelAssignmentAction on the item wins over the task's own label. */
        Label getAssignedLabel() {
            for (LabelAssignmentAction laa : getActions(LabelAssignmentAction.class)) {
                Label l = laa.getAssignedLabel(task)
                if (l != null) {
                    return l
                }
            }
            return task.getAssignedLabel()
        }

        final List<Cause> getCauses() {
            CauseAction ca = getAction(CauseAction.class)
            return ca != null ? Collections.unmodifiableList(ca.getCauses()) : Collections.<Cause>emptyList()
        }

        String getCausesDescription() {
            CauseAction ca = getAction(CauseAction.class)
            StringBuilder s = new StringBuilder()
            if (ca != null) {
                for (Map.Entry<Cause, Integer> e : ca.getCauseCounts().entrySet()) {
                    s.append(e.getKey().getShortDescription())
                    if (e.getValue() > 1) {
                        s.append(" (" + e.getValue() + " times)")
                    }
                    s.append('\n')
                }
            }
            return s.toString()
        }

        String getUrl() {
            return "queue/item/" + id + '/'
        }

        String getDisplayName() {
            return task.getFullDisplayName()
        }

        final String getWhy() {
            CauseOfBlockage cob = getCauseOfBlockage()
            return cob != null ? cob.getShortDescription() : null
        }

        abstract CauseOfBlockage getCauseOfBlockage()

        String getParams() {
            StringBuilder s = new StringBuilder()
            for (ParametersAction pa : getActions(ParametersAction.class)) {
                for (ParameterValue p : pa.getParameters()) {
                    s.append('\n').append(p.getShortDescription())
                }
            }
            return s.toString()
        }

        @Override
        String toString() {
            return getClass().getName() + ':' + task + ':' + id
        }

        abstract void enter(Queue q)

        abstract boolean leave(Queue q)

        boolean cancel(Queue q) {
            boolean r = leave(q)
            if (r) {
                future.setAsCancelled()
                new LeftItem(this).enter(q)
            }
            return r
        }
    }

    static final class WaitingItem extends Item implements Comparable<WaitingItem> {
        public Calendar timestamp

        WaitingItem(Calendar timestamp, Task project, List<Action> actions) {
            this(timestamp, project, actions, Jenkins.get().getQueue().nextId(), System.currentTimeMillis())
        }

        /** With a given id and age, to restore a saved queue. */
        WaitingItem(Calendar timestamp, Task project, List<Action> actions, long id, long inQueueSince) {
            super(project, actions, id, new FutureImpl(project), inQueueSince)
            this.timestamp = timestamp
        }

        int compareTo(WaitingItem that) {
            int r = this.timestamp.getTime().compareTo(that.timestamp.getTime())
            return r != 0 ? r : Long.compare(this.getId(), that.getId())
        }

        CauseOfBlockage getCauseOfBlockage() {
            long diff = timestamp.getTimeInMillis() - System.currentTimeMillis()
            if (diff >= 0) {
                return CauseOfBlockage.fromMessage(new NonLocalizable("In the quiet period. Expires in " + (diff / 1000) + " sec"))
            }
            return CauseOfBlockage.fromMessage(new NonLocalizable("Finished waiting"))
        }

        void enter(Queue q) {
            if (q.waitingList.add(this)) {
                final WaitingItem self = this
                Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onEnterWaiting(self) } as Consumer<QueueListener>)
            }
        }

        boolean leave(Queue q) {
            boolean r = q.waitingList.remove(this)
            if (r) {
                final WaitingItem self = this
                Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onLeaveWaiting(self) } as Consumer<QueueListener>)
            }
            return r
        }
    }

    abstract static class NotWaitingItem extends Item {
        public final long buildableStartMilliseconds

        protected NotWaitingItem(WaitingItem wi) {
            super(wi)
            buildableStartMilliseconds = System.currentTimeMillis()
        }

        protected NotWaitingItem(NotWaitingItem ni) {
            super(ni)
            buildableStartMilliseconds = ni.buildableStartMilliseconds
        }
    }

    /** Waiting for its CauseOfBlockage to go away (Jenkins: an inner class). */
    static final class BlockedItem extends NotWaitingItem {
        private transient volatile CauseOfBlockage causeOfBlockage

        BlockedItem(WaitingItem wi, CauseOfBlockage causeOfBlockage) {
            super(wi)
            this.causeOfBlockage = causeOfBlockage
        }

        BlockedItem(NotWaitingItem ni, CauseOfBlockage causeOfBlockage) {
            super(ni)
            this.causeOfBlockage = causeOfBlockage
        }

        CauseOfBlockage getCauseOfBlockage() {
            return causeOfBlockage
        }

        void setCauseOfBlockage(CauseOfBlockage causeOfBlockage) {
            this.causeOfBlockage = causeOfBlockage
        }

        void enter(Queue q) {
            q.blockedProjects.add(this)
            final BlockedItem self = this
            Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onEnterBlocked(self) } as Consumer<QueueListener>)
        }

        boolean leave(Queue q) {
            boolean r = q.blockedProjects.remove(this)
            if (r) {
                final BlockedItem self = this
                Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onLeaveBlocked(self) } as Consumer<QueueListener>)
            }
            return r
        }
    }

    /** Ready to run; waits for an executor that may take it, then becomes pending. */
    static final class BuildableItem extends NotWaitingItem {
        protected boolean isPending
        protected List<CauseOfBlockage> transientCausesOfBlockage

        BuildableItem(WaitingItem wi) {
            super(wi)
        }

        BuildableItem(NotWaitingItem ni) {
            super(ni)
        }

        CauseOfBlockage getCauseOfBlockage() {
            Jenkins jenkins = Jenkins.get()
            if (isBlockedByShutdown(task)) {
                return CauseOfBlockage.fromMessage(new NonLocalizable("Jenkins is about to shut down"))
            }
            List<CauseOfBlockage> causesOfBlockage = transientCausesOfBlockage
            Label label = getAssignedLabel()
            if (jenkins.getNodes().isEmpty()) {
                label = null
            }
            if (label != null) {
                Set<Node> nodes = label.getNodes()
                if (label.isOffline()) {
                    return nodes.size() != 1 ? new CauseOfBlockage.BecauseLabelIsOffline(label) : new CauseOfBlockage.BecauseNodeIsOffline(nodes.iterator().next())
                }
                if (causesOfBlockage != null && label.getIdleExecutors() > 0) {
                    return CauseOfBlockage.fromMessage(new NonLocalizable(describe(causesOfBlockage)))
                }
                return nodes.size() != 1 ? new CauseOfBlockage.BecauseLabelIsBusy(label) : new CauseOfBlockage.BecauseNodeIsBusy(nodes.iterator().next())
            }
            if (causesOfBlockage != null && idleExecutors(jenkins) > 0) {
                return CauseOfBlockage.fromMessage(new NonLocalizable(describe(causesOfBlockage)))
            }
            return CauseOfBlockage.fromMessage(new NonLocalizable("Waiting for next available executor"))
        }

        /** Jenkins' CompositeCauseOfBlockage: the distinct reasons joined. */
        private static String describe(List<CauseOfBlockage> causes) {
            Set<String> texts = new LinkedHashSet<String>()
            for (CauseOfBlockage c : causes) {
                texts.add(c.getShortDescription())
            }
            return String.join("; ", texts)
        }

        private static int idleExecutors(Jenkins jenkins) {
            int r = 0
            for (Computer c : jenkins.getComputers()) {
                if (c.isOnline()) {
                    r += c.countIdle()
                }
            }
            return r
        }

        boolean isPending() {
            return isPending
        }

        void enter(Queue q) {
            q.buildables.add(this)
            final BuildableItem self = this
            Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onEnterBuildable(self) } as Consumer<QueueListener>)
        }

        boolean leave(Queue q) {
            boolean r = q.buildables.remove(this)
            if (r) {
                final BuildableItem self = this
                Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onLeaveBuildable(self) } as Consumer<QueueListener>)
            }
            return r
        }
    }

    /** An item that left the queue: started (getExecutable) or cancelled (isCancelled). */
    static final class LeftItem extends Item {
        public final WorkUnitContext outcome
        private final long leftAt = System.currentTimeMillis()

        LeftItem(WorkUnitContext wuc) {
            super(wuc.item)
            this.outcome = wuc
        }

        LeftItem(Item cancelled) {
            super(cancelled)
            this.outcome = null
        }

        CauseOfBlockage getCauseOfBlockage() {
            return null
        }

        Executable getExecutable() {
            return outcome != null ? outcome.getPrimaryWorkUnit().getExecutable() : null
        }

        boolean isCancelled() {
            return outcome == null
        }

        void enter(Queue q) {
            synchronized (q.@leftItems) {
                q.@leftItems.put(getId(), this)
            }
            final LeftItem self = this
            Listeners.notify(QueueListener.class, true, { QueueListener l -> l.onLeft(self) } as Consumer<QueueListener>)
        }

        boolean leave(Queue q) {
            return false
        }
    }

    /**
     * Mirrors Queue.Saver: schedules Queue.save() on jenkins.util.Timer DELAY_SECONDS (60,
     * system property hudson.model.Queue.Saver.DELAY_SECONDS; a script may set the field,
     * a negative value disables it) after an item enters the waiting list or leaves the
     * queue, ignoring further changes until that save ran. Registered as a QueueListener
     * at boot, as Jenkins' @Extension is.
     */
    static final class Saver extends QueueListener implements Runnable {
        static int DELAY_SECONDS = Integer.getInteger("hudson.model.Queue.Saver.DELAY_SECONDS", 60)

        private final Object lock = new Object()
        private Future<?> nextSave

        @Override
        void onEnterWaiting(WaitingItem wi) {
            push()
        }

        @Override
        void onLeft(LeftItem li) {
            push()
        }

        private void push() {
            if (DELAY_SECONDS < 0) {
                return
            }
            synchronized (lock) {
                if (nextSave != null && !(nextSave.isDone() || nextSave.isCancelled())) {
                    return
                }
                nextSave = jenkins.util.Timer.get().schedule(this, DELAY_SECONDS, TimeUnit.SECONDS)
            }
        }

        @Override
        void run() {
            try {
                Jenkins j = Jenkins.getInstanceOrNull()
                if (j != null) {
                    j.getQueue().save()
                }
            } finally {
                synchronized (lock) {
                    nextSave = null
                }
            }
        }
    }

    private static class Snapshot {
        final Set<WaitingItem> waitingList
        final List<BlockedItem> blockedProjects
        final List<BuildableItem> buildables
        final List<BuildableItem> pendings

        Snapshot(Set<WaitingItem> waitingList, List<BlockedItem> blockedProjects, List<BuildableItem> buildables, List<BuildableItem> pendings) {
            this.waitingList = new LinkedHashSet<WaitingItem>(waitingList)
            this.blockedProjects = new ArrayList<BlockedItem>(blockedProjects)
            this.buildables = new ArrayList<BuildableItem>(buildables)
            this.pendings = new ArrayList<BuildableItem>(pendings)
        }
    }
}
