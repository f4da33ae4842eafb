package jenkins.model

import groovy.transform.CompileStatic
import hudson.ExtensionList
import hudson.Util
import hudson.model.Computer
import hudson.model.DirectlyModifiableTopLevelItemGroup
import hudson.model.Item
import hudson.model.ItemGroup
import hudson.model.Items
import hudson.model.Label
import hudson.model.Node
import hudson.model.Queue
import hudson.model.TopLevelItem
import hudson.model.labels.LabelAtom
import hudson.model.listeners.ItemListener
import hudson.slaves.ComputerListener
import hudson.slaves.OfflineCause
import hudson.slaves.RetentionStrategy
import hudson.util.QuotedStringTokenizer
import hudson.util.VersionNumber
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentSkipListMap
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit
import java.util.function.Consumer
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.util.Listeners
import jenkins.util.NonLocalizable
import jenkinsdouble.JenkinsStore
import jenkinsdouble.JobStore
import jenkinsdouble.NodeStore
import jenkinsdouble.RequestContext
import org.kohsuke.stapler.HttpRedirect
import org.springframework.security.authentication.AnonymousAuthenticationToken
import org.springframework.security.core.Authentication
import org.springframework.security.core.authority.SimpleGrantedAuthority
import org.springframework.security.core.context.SecurityContextHolder

/**
 * Mirrors core/src/main/java/jenkins/model/Jenkins.java (with hudson/model/AbstractCIBase.java
 * and jenkins/model/Nodes.java): the root object, the built-in node, the holder of jobs,
 * agents, computers, labels and the queue.
 */
class Jenkins extends Node implements ItemGroup<TopLevelItem>, DirectlyModifiableTopLevelItemGroup {
    private static final Logger LOGGER = Logger.getLogger(Jenkins.class.getName())
    /** The version the double impersonates (--jenkins-version, default 2.479.3), as in X-Jenkins; set at boot, as Jenkins computes it. */
    public static String VERSION = jenkinsdouble.Versions.DEFAULT
    public static final hudson.security.PermissionGroup PERMISSIONS = hudson.security.Permission.HUDSON_PERMISSIONS
    public static final hudson.security.Permission ADMINISTER = hudson.security.Permission.HUDSON_ADMINISTER
    public static final hudson.security.Permission READ = new hudson.security.Permission(PERMISSIONS, "Read", hudson.security.Permission.READ)
    public static final Authentication ANONYMOUS2 = new AnonymousAuthenticationToken("anonymous", "anonymous",
            Collections.singleton(new SimpleGrantedAuthority("anonymous")))
    private static volatile Jenkins theInstance

    private final File root
    private final transient Queue queue
    private final Map<String, Node> nodeMap = new ConcurrentSkipListMap<String, Node>()
    private final Nodes nodesObject = new Nodes(this)
    /** By node name; "" is the built-in node's computer. */
    private final Map<String, Computer> computerMap = new ConcurrentHashMap<String, Computer>()
    private final Map<String, TopLevelItem> itemsByName = new ConcurrentSkipListMap<String, TopLevelItem>(String.CASE_INSENSITIVE_ORDER)
    private final ConcurrentHashMap<String, Label> labelsByExpression = new ConcurrentHashMap<String, Label>()
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor({ Runnable r ->
        Thread t = new Thread(r, "jenkins.util.Timer")
        t.setDaemon(true)
        return t
    } as java.util.concurrent.ThreadFactory)
    private volatile int numExecutors = 2
    private volatile Node.Mode mode = Node.Mode.NORMAL
    private volatile String label = ""
    private volatile Set<LabelAtom> labelAtomSet = Collections.emptySet()
    private volatile int quietPeriod = 5
    private volatile String quietDownReason
    private volatile boolean quietingDown
    private volatile hudson.security.AuthorizationStrategy authorizationStrategy = hudson.security.AuthorizationStrategy.UNSECURED
    private volatile hudson.init.InitMilestone initLevel = hudson.init.InitMilestone.STARTED

    /** Boots an empty Jenkins on the given home; Main loads the saved state into it. */
    Jenkins(File root) {
        this.root = root
        theInstance = this
        this.queue = new Queue()
        timer.scheduleWithFixedDelay({
            try {
                trimLabels()
            } catch (Throwable t) {
                LOGGER.log(Level.WARNING, "periodic trimLabels failed", t)
            }
        } as Runnable, 5, 5, TimeUnit.MINUTES)
    }

    static Jenkins get() {
        Jenkins instance = getInstanceOrNull()
        if (instance == null) {
            throw new IllegalStateException("Jenkins.instance is missing.")
        }
        return instance
    }

    static Jenkins getInstanceOrNull() {
        return theInstance
    }

    @Deprecated
    static Jenkins getInstance() {
        return getInstanceOrNull()
    }

    /** The parsed VERSION (null while it is not computed, as in Jenkins). */
    static VersionNumber getVersion() {
        return VERSION == null ? null : new VersionNumber(VERSION)
    }

    /** Who the current thread acts as: its security context's authentication, ANONYMOUS2 when it has none. */
    static Authentication getAuthentication2() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication()
        return a == null ? ANONYMOUS2 : a
    }

    hudson.init.InitMilestone getInitLevel() {
        return initLevel
    }

    /** Not in Jenkins: the double's boot (Main) reports the milestones it passes. */
    void setInitLevel(hudson.init.InitMilestone level) {
        this.initLevel = level
    }

    hudson.security.AuthorizationStrategy getAuthorizationStrategy() {
        return authorizationStrategy
    }

    /** Installs the strategy without saving (the double's is set by Main from the command line). */
    void setAuthorizationStrategy(hudson.security.AuthorizationStrategy a) {
        this.authorizationStrategy = a == null ? hudson.security.AuthorizationStrategy.UNSECURED : a
    }

    @Override
    hudson.security.ACL getACL() {
        return authorizationStrategy.getRootACL()
    }

    // ---- the built-in node ------------------------------------------------------------

    @Deprecated
    String getNodeName() {
        return ""
    }

    void setNodeName(String name) {
        throw new UnsupportedOperationException()
    }

    String getNodeDescription() {
        return "the Jenkins controller's built-in node"
    }

    String getDisplayName() {
        return "Jenkins"
    }

    int getNumExecutors() {
        return numExecutors
    }

    /** Changes the built-in node's executors at once and saves. */
    void setNumExecutors(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("Incorrect field \"# of executors\": " + n + ". It should be a non-negative number.")
        }
        if (this.numExecutors != n) {
            this.numExecutors = n
            updateComputers(this)
            save()
        }
    }

    Node.Mode getMode() {
        return mode
    }

    void setMode(Node.Mode m) throws IOException {
        this.mode = m
        save()
    }

    String getLabelString() {
        return Util.fixNull(label).trim()
    }

    /** Saves; label caches see it after the next trimLabels, as in Jenkins. */
    void setLabelString(String label) throws IOException {
        this.label = label
        this.labelAtomSet = Collections.unmodifiableSet(Label.parse(label))
        save()
    }

    @Override
    protected Set<LabelAtom> getLabelAtomSet() {
        return labelAtomSet
    }

    LabelAtom getSelfLabel() {
        return getLabelAtom("built-in")
    }

    @Override
    protected Computer createComputer() {
        return new MasterComputer()
    }

    @Override
    File getRootPath() {
        return root
    }

    /** $JENKINS_HOME/workspace/NAME, Jenkins' default workspaceDir. */
    @Override
    File getWorkspaceFor(TopLevelItem item) {
        return new File(new File(root, "workspace"), item.getFullName())
    }

    File getRootDir() {
        return root
    }

    int getQuietPeriod() {
        return quietPeriod
    }

    void setQuietPeriod(Integer quietPeriod) throws IOException {
        this.quietPeriod = quietPeriod == null ? 5 : quietPeriod
        save()
    }

    void save() throws IOException {
        JenkinsStore.save(this)
        hudson.model.listeners.SaveableListener.fireOnChange(this, new hudson.XmlFile(new File(getRootDir(), "config.json")))
    }

    /** The configured root URL, else (inside a web request) that request's, else null. */
    String getRootUrl() {
        String url = JenkinsLocationConfiguration.get().getUrl()
        if (url != null) {
            return url.endsWith("/") ? url : url + "/"
        }
        return RequestContext.currentRootUrl()
    }

    String getRootUrlFromRequest() {
        String url = RequestContext.currentRootUrl()
        if (url == null) {
            throw new IllegalStateException("cannot call getRootUrlFromRequest from outside a request handling thread")
        }
        return url
    }

    Queue getQueue() {
        return queue
    }

    public <T> ExtensionList<T> getExtensionList(Class<T> extensionType) {
        return ExtensionList.lookup(extensionType)
    }

    // ---- quiet-down -------------------------------------------------------------------

    boolean isQuietingDown() {
        return quietingDown
    }

    String getQuietDownReason() {
        return quietDownReason
    }

    /** Nothing new starts until doCancelQuietDown(); running builds go on. */
    synchronized HttpRedirect doQuietDown() {
        quietingDown = true
        return new HttpRedirect(".")
    }

    synchronized HttpRedirect doQuietDown(boolean block, int timeout) {
        return doQuietDown(block, timeout, null)
    }

    HttpRedirect doQuietDown(boolean block, int timeout, String message) {
        synchronized (this) {
            quietingDown = true
            quietDownReason = message
        }
        if (block) {
            long waitUntil = timeout > 0 ? System.currentTimeMillis() + timeout : Long.MAX_VALUE
            while (isQuietingDown() && System.currentTimeMillis() < waitUntil && !allExecutorsIdle()) {
                TimeUnit.SECONDS.sleep(1)
            }
        }
        return new HttpRedirect(".")
    }

    private boolean allExecutorsIdle() {
        for (Computer c : getComputers()) {
            if (!c.isIdle()) {
                return false
            }
        }
        return true
    }

    synchronized HttpRedirect doCancelQuietDown() {
        quietingDown = false
        quietDownReason = null
        getQueue().scheduleMaintenance()
        return new HttpRedirect(".")
    }

    // ---- nodes and computers -------------------------------------------------------------------

    List<Node> getNodes() {
        return new ArrayList<Node>(nodeMap.values())
    }

    Node getNode(String name) {
        return name == null ? null : nodeMap.get(name)
    }

    /**
     * Adds or replaces an agent (Nodes.addNode): Jenkins takes it (onLoad), its computer
     * comes online at once, labels refresh, node.save() fires SaveableListener with the
     * node, then NodeListener onCreated/onUpdated.
     */
    void addNode(Node n) throws IOException {
        checkGoodName(n.getNodeName())
        Node old = nodeMap.put(n.getNodeName(), n)
        if (!n.is(old)) {
            n.onLoad(nodesObject, n.getNodeName())
            updateNewComputer(n)
            trimLabels(n, old)
            n.save()
            if (old != null) {
                NodeListener.fireOnUpdated(old, n)
            } else {
                NodeListener.fireOnCreated(n)
            }
        }
    }

    /** Disconnects and removes the agent; its running builds lose their channel. */
    void removeNode(Node n) throws IOException {
        if (n.is(nodeMap.get(n.getNodeName()))) {
            Computer c = n.toComputer()
            if (c != null) {
                c.disconnect(OfflineCause.create(new NonLocalizable("Node is being removed")))
            }
            nodeMap.remove(n.getNodeName())
            NodeStore.delete(this, n.getNodeName())
            updateComputers(n)
            trimLabels(n)
            NodeListener.fireOnDeleted(n)
        }
    }

    /**
     * For a node Jenkins holds (Nodes.updateNode): label caches refresh, node.save()
     * fires SaveableListener with the node, and (since 2.503 only) NodeListener.onUpdated(n, n);
     * the double also schedules a queue maintenance. The executor count is not re-read
     * (as in Jenkins: that takes replacing the node, setNodes, or updateComputerList).
     */
    boolean updateNode(Node n) throws IOException {
        boolean exists = false
        Queue.withLock({
            if (n.is(nodeMap.get(n.getNodeName()))) {
                trimLabels(n)
                exists = true
            }
        } as Runnable)
        if (exists) {
            n.save()
            if (jenkinsdouble.Versions.updateNodeFiresOnUpdated()) {
                NodeListener.fireOnUpdated(n, n)
            }
            queue.scheduleMaintenance()
        }
        return exists
    }

    /**
     * Replaces all agents at once (Nodes.setNodes). Under the queue lock: the new nodes go
     * in place and (since 2.483) NodeListener onUpdated/onCreated fire for each, before
     * the node is put in place in 2.483 to 2.487, after it since 2.488; since 2.564 a
     * replaced node's temporary offline cause is copied to its successor first; then the
     * computers re-read every node (executor counts; ComputerListener.onConfigurationChange
     * fires, still under the lock) and labels are trimmed. Then Nodes.save() fires
     * SaveableListener with the Nodes object once per agent file, and removed agents
     * are deleted (with NodeListener.onDeleted since 2.483).
     */
    void setNodes(List<? extends Node> newNodes) throws IOException {
        Map<String, Node> toRemove = new HashMap<String, Node>()
        Queue.withLock({
            toRemove.putAll(nodeMap)
            for (Node node : newNodes) {
                String name = node.getNodeName()
                Node oldNode = toRemove.get(name)
                if (jenkinsdouble.Versions.setNodesFiresNodeListener() && !jenkinsdouble.Versions.setNodesFiresAfterPut()) {
                    fireSetNodesListener(oldNode, node)
                }
                nodeMap.put(name, node)
                node.onLoad(nodesObject, name)
                if (oldNode != null && jenkinsdouble.Versions.setNodesKeepsTemporaryOfflineCause()) {
                    node.setTemporaryOfflineCause(oldNode.getTemporaryOfflineCause())
                }
                if (jenkinsdouble.Versions.setNodesFiresAfterPut()) {
                    fireSetNodesListener(oldNode, node)
                }
                toRemove.remove(name)
            }
            nodeMap.keySet().removeAll(toRemove.keySet())
            updateComputerList()
            trimLabels()
        } as Runnable)
        nodesObject.save()
        for (Node n : toRemove.values()) {
            if (jenkinsdouble.Versions.setNodesFiresNodeListener()) {
                NodeListener.fireOnDeleted(n)
            }
            NodeStore.delete(this, n.getNodeName())
        }
    }

    private static void fireSetNodesListener(Node oldNode, Node node) {
        if (oldNode != null) {
            NodeListener.fireOnUpdated(oldNode, node)
        } else {
            NodeListener.fireOnCreated(node)
        }
    }

    /** Not in Jenkins: the Nodes object (Jenkins keeps it in a private field too). */
    Nodes getNodesObject() {
        return nodesObject
    }

    /**
     * The work of Nodes.replaceNode (the double keeps the node map here): the new node takes
     * the old one's place and is saved, the computer of that name takes the new node,
     * labels refresh, onUpdated(old, new) fires.
     */
    protected boolean replaceNodeInMap(Node oldOne, Node newOne) throws IOException {
        checkGoodName(newOne.getNodeName())
        if (!oldOne.is(nodeMap.get(oldOne.getNodeName()))) {
            return false
        }
        Queue.withLock({
            nodeMap.remove(oldOne.getNodeName())
            nodeMap.put(newOne.getNodeName(), newOne)
        } as Runnable)
        saveNode(newOne)
        if (!newOne.getNodeName().equals(oldOne.getNodeName())) {
            NodeStore.delete(this, oldOne.getNodeName())
        }
        Queue.withLock({
            if (newOne.getNodeName().equals(oldOne.getNodeName())) {
                updateComputers(newOne)
            } else {
                updateComputers(oldOne, newOne)
            }
            trimLabels(oldOne, newOne)
        } as Runnable)
        NodeListener.fireOnUpdated(oldOne, newOne)
        return true
    }

    /** Not in Jenkins: kept for callers of the double's older API; the same as n.save(). */
    void saveNode(Node n) throws IOException {
        n.save()
    }

    /** Puts a node read from disk in place without events (boot only; Nodes.load). */
    void loadNode(Node n) {
        nodeMap.put(n.getNodeName(), n)
        n.onLoad(nodesObject, n.getNodeName())
    }

    Computer getComputer(String name) {
        if ("(built-in)".equals(name) || "(master)".equals(name)) {
            name = ""
        }
        return computerMap.get(name)
    }

    /** The computer of a node (Jenkins: AbstractCIBase.getComputer(Node)). */
    Computer getComputer(Node n) {
        Computer c = computerMap.get(n.getNodeName())
        return c != null && (n.is(this) || n.is(nodeMap.get(n.getNodeName()))) ? c : null
    }

    /** The built-in node's computer first, then agents by name. */
    Computer[] getComputers() {
        List<Computer> r = new ArrayList<Computer>(computerMap.values())
        Collections.sort(r, { Computer lhs, Computer rhs ->
            if (lhs instanceof MasterComputer) {
                return -1
            }
            if (rhs instanceof MasterComputer) {
                return 1
            }
            return lhs.getName().compareTo(rhs.getName())
        } as Comparator<Computer>)
        return r.toArray(new Computer[r.size()])
    }

    /** Drops a computer whose node is gone and whose builds are over (Jenkins: package-private). */
    void removeComputer(Computer computer) {
        Queue.withLock({
            computerMap.values().remove(computer)
        } as Runnable)
    }

    /** Creates the computer of a new node (or reconfigures the one of a replaced node) and connects it. */
    protected void updateNewComputer(Node n) {
        Computer existing = computerMap.get(n.getNodeName())
        if (existing != null) {
            existing.setNode(n)
        } else if (n.getNumExecutors() > 0 || n.is(this)) {
            Computer c = n.createComputer()
            computerMap.put(n.getNodeName(), c)
            RetentionStrategy strategy = c.getRetentionStrategy()
            strategy.start(c)
        } else {
            LOGGER.log(Level.WARNING, "Node {0} has no executors. Cannot update the Computer instance of it", n.getNodeName())
            return
        }
        queue.scheduleMaintenance()
        Listeners.notify(ComputerListener.class, false, { ComputerListener l -> l.onConfigurationChange() } as Consumer<ComputerListener>)
    }

    /** Every node's computer re-reads its node (executor counts); computers of removed nodes wind down. */
    protected void updateComputerList() {
        List<Node> all = new ArrayList<Node>()
        all.add(this)
        all.addAll(nodeMap.values())
        updateComputers(all.toArray(new Node[all.size()]))
    }

    protected void updateComputers(Node... changed) {
        List<Computer> old = new ArrayList<Computer>()
        Queue.withLock({
            for (Node n : changed) {
                boolean present = n.is(this) || n.is(nodeMap.get(n.getNodeName()))
                Computer c = computerMap.get(n.getNodeName())
                if (!present) {
                    if (c != null) {
                        old.add(c)
                    }
                } else if (c != null) {
                    c.setNode(n)
                } else if (n.getNumExecutors() > 0 || n.is(this)) {
                    c = n.createComputer()
                    computerMap.put(n.getNodeName(), c)
                    c.getRetentionStrategy().start(c)
                }
            }
            for (Computer c : old) {
                c.setNumExecutors(0)
            }
        } as Runnable)
        for (Computer c : old) {
            if (c.countExecutors() == 0) {
                removeComputer(c)
            }
        }
        queue.scheduleMaintenance()
        Listeners.notify(ComputerListener.class, false, { ComputerListener l -> l.onConfigurationChange() } as Consumer<ComputerListener>)
    }

    // ---- labels -----------------------------------------------------------------------

    /** The (cached) label of an expression; a string that does not parse is taken as one atom. */
    Label getLabel(String expr) {
        if (expr == null) {
            return null
        }
        expr = QuotedStringTokenizer.unquote(expr)
        while (true) {
            Label l = labelsByExpression.get(expr)
            if (l != null) {
                return l
            }
            try {
                labelsByExpression.putIfAbsent(expr, Label.parseExpression(expr))
            } catch (IllegalArgumentException e) {
                return getLabelAtom(expr)
            }
        }
    }

    LabelAtom getLabelAtom(String name) {
        if (name == null) {
            return null
        }
        while (true) {
            Label l = labelsByExpression.get(name)
            if (l != null) {
                return (LabelAtom) l
            }
            labelsByExpression.putIfAbsent(name, new LabelAtom(name))
        }
    }

    LabelAtom tryGetLabelAtom(String name) {
        Label label = labelsByExpression.get(name)
        return label instanceof LabelAtom ? (LabelAtom) label : null
    }

    Set<Label> getLabels() {
        Set<Label> r = new TreeSet<Label>()
        for (Label l : labelsByExpression.values()) {
            if (!l.isEmpty()) {
                r.add(l)
            }
        }
        return r
    }

    Set<LabelAtom> getLabelAtoms() {
        Set<LabelAtom> r = new TreeSet<LabelAtom>()
        for (Label l : labelsByExpression.values()) {
            if (!l.isEmpty() && l instanceof LabelAtom) {
                r.add((LabelAtom) l)
            }
        }
        return r
    }

    /** Resets every label's node cache and forgets labels no node has (Jenkins: package-private; also every 5 minutes). */
    void trimLabels() {
        trimLabelsIncluding(null)
    }

    void trimLabels(Node... changed) {
        Set<LabelAtom> includedLabels = new HashSet<LabelAtom>()
        for (Node n : changed) {
            if (n != null) {
                includedLabels.addAll(n.drainLabelsToTrim())
            }
        }
        trimLabelsIncluding(includedLabels)
    }

    /** Only labels that are among, or match, the changed nodes' labels are reset (Jenkins' rule). */
    @CompileStatic // called on every node change; it walks every label against every node
    private void trimLabelsIncluding(Set<LabelAtom> includedLabels) {
        Set<Set<LabelAtom>> nodeLabels = new HashSet<Set<LabelAtom>>()
        nodeLabels.add(this.getAssignedLabels())
        for (Node n : nodeMap.values()) {
            nodeLabels.add(n.getAssignedLabels())
        }
        Iterator<Label> itr = labelsByExpression.values().iterator()
        while (itr.hasNext()) {
            Label l = itr.next()
            if (includedLabels == null || includedLabels.contains(l) || l.matches(includedLabels)) {
                boolean used = false
                for (Set<LabelAtom> s : nodeLabels) {
                    if (l.matches(s)) {
                        used = true
                        break
                    }
                }
                if (used) {
                    l.reset()
                } else {
                    itr.remove()
                }
            }
        }
    }

    // ---- items ------------------------------------------------------------------------------

    String getFullName() {
        return ""
    }

    String getFullDisplayName() {
        return ""
    }

    String getUrl() {
        return ""
    }

    List<TopLevelItem> getItems() {
        return new ArrayList<TopLevelItem>(itemsByName.values())
    }

    Map<String, TopLevelItem> getItemMap() {
        return Collections.unmodifiableMap(itemsByName)
    }

    TopLevelItem getItem(String name) {
        return name == null ? null : itemsByName.get(name)
    }

    String getUrlChildPrefix() {
        return "job"
    }

    Item getItemByFullName(String fullName) {
        return getItemByFullName(fullName, Item.class)
    }

    /** "a/b/job": each "/"-separated name looked up in the group before it (case-insensitively, as getItem). */
    public <T extends Item> T getItemByFullName(String fullName, Class<T> type) {
        if (fullName == null) {
            return null
        }
        StringTokenizer tokens = new StringTokenizer(fullName, "/")
        ItemGroup parent = this
        if (!tokens.hasMoreTokens()) {
            return null
        }
        while (true) {
            Item item = parent.getItem(tokens.nextToken())
            if (!tokens.hasMoreTokens()) {
                return type.isInstance(item) ? type.cast(item) : null
            }
            if (!(item instanceof ItemGroup)) {
                return null
            }
            parent = (ItemGroup) item
        }
    }

    /** Every item of the type, in folders too: depth first, each level by name (Items.getAllItems). */
    public <T extends Item> List<T> getAllItems(Class<T> type) {
        return Items.getAllItems(this, type)
    }

    List<Item> getAllItems() {
        return getAllItems(Item.class)
    }

    public <T extends Item> Iterable<T> allItems(Class<T> type) {
        return Items.allItems(this, type)
    }

    Iterable<Item> allItems() {
        return allItems(Item.class)
    }

    boolean canAdd(TopLevelItem item) {
        return true
    }

    /** Puts an item moved here (Items.move) under its name. */
    synchronized public <I extends TopLevelItem> I add(I item, String name) throws IOException, IllegalArgumentException {
        if (itemsByName.containsKey(name)) {
            throw new IllegalArgumentException("already an item '" + name + "'")
        }
        itemsByName.put(name, item)
        return item
    }

    void remove(TopLevelItem item) throws IOException, IllegalArgumentException {
        itemsByName.remove(item.getName())
    }

    File getRootDirFor(TopLevelItem child) {
        return new File(new File(root, "jobs"), child.getName())
    }

    /** Creates, saves and registers a job, then fires ItemListener.onCreated. */
    synchronized public <T extends TopLevelItem> T createProject(Class<T> type, String name) throws IOException {
        checkGoodName(name)
        if (itemsByName.containsKey(name)) {
            throw new IllegalArgumentException(name + " already exists")
        }
        T item = type.getConstructor(ItemGroup.class, String.class).newInstance(this, name)
        item.save()
        itemsByName.put(name, item)
        ItemListener.fireOnCreated(item)
        return item
    }

    /**
     * ItemGroupMixIn.createProjectFromXML: a job from its config.xml (see
     * jenkinsdouble.ItemXml), registered, then ItemListener.onCreated fires.
     */
    synchronized TopLevelItem createProjectFromXML(String name, InputStream xml) throws IOException {
        if (itemsByName.containsKey(name)) {
            throw new hudson.model.Failure("A job already exists with the name ‘" + name + "’")
        }
        checkGoodName(name)
        TopLevelItem item = jenkinsdouble.ItemXml.load(this, name, xml.readAllBytes())
        itemsByName.put(name, item)
        ItemListener.fireOnCreated(item)
        return item
    }

    /** Registers a job read from disk (boot only). */
    void loadItem(TopLevelItem item) {
        itemsByName.put(item.getName(), item)
    }

    void onDeleted(TopLevelItem item) throws IOException {
        ItemListener.fireOnDeleted(item)
        itemsByName.remove(item.getName())
    }

    void onRenamed(TopLevelItem job, String oldName, String newName) throws IOException {
        itemsByName.remove(oldName)
        itemsByName.put(newName, job)
        JobStore.saveConfig(job)
    }

    /** Rejects names Jenkins rejects (empty, ".", "..", control and unsafe characters, trailing dot). */
    static void checkGoodName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("No name is specified")
        }
        if (".".equals(name.trim()) || "..".equals(name.trim())) {
            throw new IllegalArgumentException("“" + name + "” is not an allowed name")
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i)
            if (Character.isISOControl(ch)) {
                throw new IllegalArgumentException("No control code is allowed")
            }
            if ('?*/\\%!@#$^&|<>[]:;'.indexOf((int) ch) != -1) {
                throw new IllegalArgumentException("‘" + ch + "’ is an unsafe character")
            }
        }
        if (name.trim().endsWith(".")) {
            throw new IllegalArgumentException("A name cannot end with ‘.’")
        }
    }

    /** Stops the timers (the double's shutdown). */
    void shutdown() {
        timer.shutdownNow()
        queue.shutdown()
    }

    /** The built-in node's computer ("" / "Built-In Node"); always online. */
    static class MasterComputer extends Computer {
        protected MasterComputer() {
            super(Jenkins.get())
        }

        @Override
        String getName() {
            return ""
        }

        @Override
        String getDisplayName() {
            return "Built-In Node"
        }

        @Override
        String getUrl() {
            return "computer/(built-in)/"
        }

        @Override
        boolean isConnected() {
            return true
        }

        @Override
        RetentionStrategy getRetentionStrategy() {
            return RetentionStrategy.NOOP
        }

        @Override
        protected Future<?> _connect(boolean forceReconnect) {
            return CompletableFuture.completedFuture(null)
        }

        @Override
        protected boolean isAlive() {
            return true
        }
    }
}
