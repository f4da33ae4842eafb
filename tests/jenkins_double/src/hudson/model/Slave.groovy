package hudson.model

import hudson.Util
import hudson.model.labels.LabelAtom
import hudson.slaves.ComputerLauncher
import hudson.slaves.JNLPLauncher
import hudson.slaves.NodeProperty
import hudson.slaves.RetentionStrategy
import hudson.slaves.SlaveComputer
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/Slave.java: an agent node. The setters change
 * the live object only; Jenkins.updateNode (labels, listeners, saving) or replacing the
 * node (executor count) make other parts see the change, as in Jenkins.
 */
abstract class Slave extends Node implements Serializable {
    protected String name
    private String description
    protected final String remoteFS
    private int numExecutors = 1
    private Node.Mode mode = Node.Mode.NORMAL
    private RetentionStrategy retentionStrategy
    private ComputerLauncher launcher
    private String label = ""
    private List<NodeProperty<?>> nodeProperties = new ArrayList<NodeProperty<?>>()
    private transient Set<LabelAtom> previouslyAssignedLabels = new HashSet<LabelAtom>()
    private transient Set<LabelAtom> labelAtomSet

    protected Slave(String name, String remoteFS, ComputerLauncher launcher) {
        this.name = name
        this.remoteFS = remoteFS
        this.launcher = launcher
        this.labelAtomSet = Collections.unmodifiableSet(Label.parse(label))
    }

    protected Slave(String name, String nodeDescription, String remoteFS, int numExecutors,
                    Node.Mode mode, String labelString, ComputerLauncher launcher, RetentionStrategy retentionStrategy,
                    List<? extends NodeProperty<?>> nodeProperties) {
        this.name = name
        this.description = nodeDescription
        this.numExecutors = numExecutors
        this.mode = mode
        this.remoteFS = Util.fixNull(remoteFS).trim()
        _setLabelString(labelString)
        this.launcher = launcher
        this.retentionStrategy = retentionStrategy
        this.nodeProperties.addAll(nodeProperties)
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Invalid agent configuration. Name is empty")
        }
        if (this.numExecutors <= 0) {
            throw new IllegalArgumentException("Invalid agent configuration for " + name + ". Invalid # of executors.")
        }
    }

    ComputerLauncher getLauncher() {
        return launcher == null ? new JNLPLauncher() : launcher
    }

    void setLauncher(ComputerLauncher launcher) {
        this.launcher = launcher
    }

    String getRemoteFS() {
        return remoteFS
    }

    String getNodeName() {
        return name
    }

    void setNodeName(String name) {
        this.name = name
    }

    void setNodeDescription(String value) {
        this.description = value
    }

    String getNodeDescription() {
        return description
    }

    int getNumExecutors() {
        return numExecutors
    }

    void setNumExecutors(int n) {
        this.numExecutors = n
    }

    Node.Mode getMode() {
        return mode
    }

    void setMode(Node.Mode mode) {
        this.mode = mode
    }

    List<NodeProperty<?>> getNodeProperties() {
        return nodeProperties
    }

    RetentionStrategy getRetentionStrategy() {
        return retentionStrategy == null ? RetentionStrategy.Always.INSTANCE : retentionStrategy
    }

    void setRetentionStrategy(RetentionStrategy availabilityStrategy) {
        this.retentionStrategy = availabilityStrategy
    }

    String getLabelString() {
        return Util.fixNull(label).trim()
    }

    /** Takes effect for matches(Node) at once; label caches refresh on Jenkins.updateNode. */
    @Override
    void setLabelString(String labelString) throws IOException {
        _setLabelString(labelString)
    }

    private void _setLabelString(String labelString) {
        synchronized (previouslyAssignedLabels) {
            previouslyAssignedLabels.addAll(getAssignedLabels())
        }
        this.label = Util.fixNull(labelString).trim()
        this.labelAtomSet = Collections.unmodifiableSet(Label.parse(label))
    }

    @Override
    protected Set<LabelAtom> getLabelAtomSet() {
        if (labelAtomSet == null) {
            labelAtomSet = Collections.unmodifiableSet(Label.parse(label))
        }
        return labelAtomSet
    }

    /** Old and new labels, so that trimming refreshes both. */
    @Override
    Set<LabelAtom> drainLabelsToTrim() {
        Set<LabelAtom> result = new HashSet<LabelAtom>(super.drainLabelsToTrim())
        synchronized (previouslyAssignedLabels) {
            result.addAll(previouslyAssignedLabels)
            previouslyAssignedLabels.clear()
        }
        return result
    }

    @Override
    protected Computer createComputer() {
        return new SlaveComputer(this)
    }

    @Override
    File getRootPath() {
        return new File(remoteFS)
    }

    @Override
    String toString() {
        return getClass().getName() + "[" + name + "]"
    }
}
