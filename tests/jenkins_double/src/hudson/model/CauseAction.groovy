package hudson.model

import hudson.model.queue.FoldableAction
import jenkins.model.RunAction2

/**
 * Mirrors core/src/main/java/hudson/model/CauseAction.java: a bag of causes with counts;
 * as a FoldableAction it adds its causes to a duplicate queue item it is folded into.
 */
class CauseAction implements FoldableAction, RunAction2 {
    private Map<Cause, Integer> causeBag = new LinkedHashMap<Cause, Integer>()

    CauseAction(Cause c) {
        this.causeBag.put(c, 1)
    }

    CauseAction(Cause... c) {
        this(Arrays.asList(c))
    }

    CauseAction(Collection<? extends Cause> causes) {
        addCauses(causes)
    }

    CauseAction(CauseAction ca) {
        addCauses(ca.getCauses())
    }

    private void addCause(Cause c) {
        synchronized (causeBag) {
            Integer cnt = causeBag.get(c)
            causeBag.put(c, cnt == null ? 1 : cnt + 1)
        }
    }

    private void addCauses(Collection<? extends Cause> causes) {
        for (Cause cause : causes) {
            addCause(cause)
        }
    }

    List<Cause> getCauses() {
        List<Cause> r = new ArrayList<Cause>()
        for (Map.Entry<Cause, Integer> entry : causeBag.entrySet()) {
            r.addAll(Collections.nCopies(entry.getValue(), entry.getKey()))
        }
        return Collections.unmodifiableList(r)
    }

    public <T extends Cause> T findCause(Class<T> type) {
        for (Cause c : causeBag.keySet()) {
            if (type.isInstance(c)) {
                return type.cast(c)
            }
        }
        return null
    }

    String getDisplayName() { return "Cause" }

    String getIconFileName() { return null }

    String getUrlName() { return "cause" }

    Map<Cause, Integer> getCauseCounts() {
        return Collections.unmodifiableMap(causeBag)
    }

    String getShortDescription() {
        if (causeBag.isEmpty()) {
            return "N/A"
        }
        return causeBag.keySet().iterator().next().getShortDescription()
    }

    void onLoad(Run owner) {
        for (Cause c : causeBag.keySet()) {
            if (c != null) {
                c.onLoad(owner)
            }
        }
    }

    void onAttached(Run owner) {
        for (Cause c : causeBag.keySet()) {
            if (c != null) {
                c.onAddedTo(owner)
            }
        }
    }

    void foldIntoExisting(Queue.Item item, Queue.Task owner, List<Action> otherActions) {
        CauseAction existing = item.getAction(CauseAction.class)
        if (existing != null) {
            existing.addCauses(getCauses())
            return
        }
        item.addAction(new CauseAction(this))
    }
}
