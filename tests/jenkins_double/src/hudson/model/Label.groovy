package hudson.model

import groovy.transform.CompileStatic
import hudson.model.labels.LabelAtom
import hudson.model.labels.LabelExpression
import hudson.model.labels.LabelExpressionParser
import hudson.model.labels.LabelOperatorPrecedence
import hudson.model.labels.LabelVisitor
import hudson.util.QuotedStringTokenizer
import hudson.util.VariableResolver
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/Label.java: a boolean expression over label
 * atoms. getNodes() is cached, exactly as in Jenkins, and the cache is only reset by
 * Jenkins.trimLabels (addNode, updateNode, removeNode, setNodes, periodically): a label
 * string changed on a live node is seen by matches(Node) at once but by getNodes()
 * (and so by the queue) only after one of those.
 */
abstract class Label extends Actionable implements Comparable<Label> {
    protected final transient String name
    private transient volatile Set<Node> nodes

    protected Label(String name) {
        this.name = name
    }

    final String getName() {
        return getDisplayName()
    }

    String getDisplayName() {
        return name
    }

    abstract String getExpression()

    String getUrl() {
        return "label/" + URLEncoder.encode(name, "UTF-8").replace("+", "%20") + '/'
    }

    boolean isAtom() { return false }

    abstract boolean matches(VariableResolver<Boolean> resolver)

    // An anonymous class, as in Jenkins: coercing a closure would build a proxy per call,
    // and trimLabels calls this for every label against every node.
    @CompileStatic
    final boolean matches(final Collection<LabelAtom> labels) {
        return matches(new VariableResolver<Boolean>() {
            Boolean resolve(String atomName) {
                for (LabelAtom a : labels) {
                    if (a.getName().equals(atomName)) {
                        return true
                    }
                }
                return false
            }
        })
    }

    final boolean matches(Node n) {
        return matches(n.getAssignedLabels())
    }

    boolean isSelfLabel() {
        Set<Node> nodes = getNodes()
        return nodes.size() == 1 && nodes.iterator().next().getSelfLabel().equals(this)
    }

    Set<Node> getNodes() {
        Set<Node> cached = this.nodes
        if (cached != null) {
            return cached
        }
        Set<Node> r = new HashSet<Node>()
        Jenkins h = Jenkins.get()
        if (this.matches(h)) {
            r.add(h)
        }
        for (Node n : h.getNodes()) {
            if (this.matches(n)) {
                r.add(n)
            }
        }
        this.nodes = Collections.unmodifiableSet(r)
        return this.nodes
    }

    boolean isAssignable() {
        for (Node n : getNodes()) {
            if (n.getNumExecutors() > 0) {
                return true
            }
        }
        return false
    }

    int getTotalConfiguredExecutors() {
        int r = 0
        for (Node n : getNodes()) {
            r += n.getNumExecutors()
        }
        return r
    }

    int getTotalExecutors() {
        int r = 0
        for (Node n : getNodes()) {
            Computer c = n.toComputer()
            if (c != null && c.isOnline()) {
                r += c.countExecutors()
            }
        }
        return r
    }

    int getBusyExecutors() {
        int r = 0
        for (Node n : getNodes()) {
            Computer c = n.toComputer()
            if (c != null && c.isOnline()) {
                r += c.countBusy()
            }
        }
        return r
    }

    int getIdleExecutors() {
        int r = 0
        for (Node n : getNodes()) {
            Computer c = n.toComputer()
            if (c != null && c.isOnline() && c.isAcceptingTasks()) {
                r += c.countIdle()
            }
        }
        return r
    }

    boolean isOffline() {
        for (Node n : getNodes()) {
            Computer c = n.toComputer()
            if (c != null && !c.isOffline()) {
                return false
            }
        }
        return true
    }

    boolean contains(Node node) {
        return getNodes().contains(node)
    }

    /** No node has it (the double has no clouds). */
    boolean isEmpty() {
        return getNodes().isEmpty()
    }

    /** Drops the node cache (Jenkins: package-private reset(), called by trimLabels). */
    void reset() {
        nodes = null
    }

    abstract <V, P> V accept(LabelVisitor<V, P> visitor, P param)

    Set<LabelAtom> listAtoms() {
        Set<LabelAtom> r = new HashSet<LabelAtom>()
        accept(new AtomCollector(), r)
        return r
    }

    Label and(Label rhs) { return new LabelExpression.And(this, rhs) }

    Label or(Label rhs) { return new LabelExpression.Or(this, rhs) }

    Label iff(Label rhs) { return new LabelExpression.Iff(this, rhs) }

    Label implies(Label rhs) { return new LabelExpression.Implies(this, rhs) }

    Label not() { return new LabelExpression.Not(this) }

    Label paren() { return new LabelExpression.Paren(this) }

    abstract LabelOperatorPrecedence precedence()

    /** Equal when of the same class and with the same display name, as in Jenkins. */
    @Override
    final boolean equals(Object that) {
        if (this.is(that)) {
            return true
        }
        if (that == null || getClass() != that.getClass()) {
            return false
        }
        return this.name.equals(((Label) that).name)
    }

    @Override
    final int hashCode() {
        return name.hashCode()
    }

    @Override
    final int compareTo(Label that) {
        return this.name.compareTo(that.name)
    }

    @Override
    String toString() {
        return name
    }

    /** Whitespace-separated atoms of a node's label string (quotes group). */
    static Set<LabelAtom> parse(String labels) {
        Set<LabelAtom> r = new TreeSet<LabelAtom>()
        labels = labels == null ? "" : labels
        if (!labels.isEmpty()) {
            Jenkins j = Jenkins.get()
            LabelAtom labelAtom = j.tryGetLabelAtom(labels)
            if (labelAtom == null) {
                for (String token : QuotedStringTokenizer.tokenize(labels)) {
                    r.add(j.getLabelAtom(token))
                }
            } else {
                r.add(labelAtom)
            }
        }
        return r
    }

    static Label get(String l) {
        return Jenkins.get().getLabel(l)
    }

    /** Parses with Jenkins' grammar (LabelExpressionParser.g4); IllegalArgumentException on syntax errors. */
    static Label parseExpression(String labelExpression) {
        return new LabelExpressionParser(labelExpression).parse()
    }

    private static class AtomCollector extends LabelVisitor<Void, Set<LabelAtom>> {
        Void onAtom(LabelAtom a, Set<LabelAtom> param) {
            param.add(a)
            return null
        }

        Void onParen(LabelExpression.Paren p, Set<LabelAtom> param) { return p.base.accept(this, param) }

        Void onNot(LabelExpression.Not p, Set<LabelAtom> param) { return p.base.accept(this, param) }

        Void onAnd(LabelExpression.And p, Set<LabelAtom> param) { return onBinary(p, param) }

        Void onOr(LabelExpression.Or p, Set<LabelAtom> param) { return onBinary(p, param) }

        Void onIff(LabelExpression.Iff p, Set<LabelAtom> param) { return onBinary(p, param) }

        Void onImplies(LabelExpression.Implies p, Set<LabelAtom> param) { return onBinary(p, param) }

        private Void onBinary(LabelExpression.Binary b, Set<LabelAtom> param) {
            b.lhs.accept(this, param)
            b.rhs.accept(this, param)
            return null
        }
    }
}
