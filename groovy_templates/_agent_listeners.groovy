{#-
  Part of agent.groovy: the listeners the agent registers, each passing what
  it hears to the agent, and the small classes they share. Listeners are not
  persisted by Jenkins, so they may be classes defined here.

  Jenkins APIs: hudson/model/listeners/RunListener.java (onStarted,
  onCompleted: freestyle builds and Pipeline runs), ItemListener.java (onCreated,
  onUpdated, onDeleted, onLocationChanged: of a folder's items too), SaveableListener.java (onChange), hudson/slaves/
  ComputerListener.java (onOnline, onOffline, onTemporarilyOnline/Offline,
  onConfigurationChange), jenkins/model/NodeListener.java (onCreated,
  onUpdated, onDeleted), hudson/model/queue/QueueListener.java (onLeft: an item
  cancelled, or taking an executor, as a Pipeline's node block does),
  hudson/model/queue/CauseOfBlockage.java (getShortDescription),
  hudson/security/ACL.java (as2, SYSTEM2).
-#}
/**
 * Counters of the agent's own work: saves seen, node refreshes and scans, canTake calls and
 * their time, builds indexed at start and builds a look-up examined beyond the record.
 */
class GearmanJenkinsStats {
    private final Map<String, java.util.concurrent.atomic.AtomicLong> counters = [:]

    GearmanJenkinsStats() {
        ['saves', 'node_refreshes', 'node_scans', 'can_take', 'can_take_ns', 'history_indexed', 'history_examined'].each {
            counters[it] = new java.util.concurrent.atomic.AtomicLong()
        }
    }

    void count(String name) {
        counters[name].incrementAndGet()
    }

    void add(String name, long amount) {
        counters[name].addAndGet(amount)
    }

    Map snapshot() {
        return counters.collectEntries { name, counter -> [(name): counter.get()] }
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

/**
 * One of the agent's background jobs. It runs as SYSTEM (outside a request a
 * thread is anonymous, and Queue.getItems and getAllItems show an anonymous
 * caller only what it may read); a failure is logged and the timer goes on.
 */
class GearmanJenkinsTask extends TimerTask {
    final String name
    final Closure body

    GearmanJenkinsTask(String name, Closure body) {
        this.name = name
        this.body = body
    }

    @Override
    void run() {
        def context = hudson.security.ACL.as2(hudson.security.ACL.SYSTEM2)
        try {
            body.call()
        } catch (Throwable t) {
            Logger.getLogger('gearman-jenkins').log(Level.WARNING, "gearman-jenkins ${name} failed", t)
        } finally {
            context.close()
        }
    }
}

/**
 * Jenkins fires SaveableListener for every save: each request authenticated
 * with an API token saves its ApiTokenStats, users, the queue, fingerprints
 * and descriptors save too. Only jobs, nodes (a Node, one node file of
 * Nodes) and Jenkins itself (the built-in node) change what the agent reports.
 */
class GearmanJenkinsSaveableListener extends SaveableListener {
    final def agent

    GearmanJenkinsSaveableListener(agent) {
        this.agent = agent
    }

    @Override
    void onChange(Saveable saveable, XmlFile file) {
        agent.saved(saveable, file)
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
        agent.shapes.refreshJob(item)
    }

    @Override
    void onUpdated(Item item) {
        agent.shapes.refreshJob(item)
    }

    @Override
    void onDeleted(Item item) {
        agent.shapes.jobRemoved(item.getFullName())
    }

    @Override
    void onLocationChanged(Item item, String oldFullName, String newFullName) {
        agent.shapes.jobMoved(item, oldFullName)
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
            agent.shapes.refreshNode(node)
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
        agent.shapes.refreshNode(node)
    }

    @Override
    protected void onUpdated(Node oldOne, Node newOne) {
        if (oldOne.getNodeName() != newOne.getNodeName()) {
            agent.shapes.nodeRemoved(oldOne.getNodeName())
        }
        agent.shapes.refreshNode(newOne)
    }

    @Override
    protected void onDeleted(Node node) {
        agent.shapes.nodeRemoved(node.getNodeName())
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
