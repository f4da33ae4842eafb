package hudson.model

import java.util.concurrent.CopyOnWriteArrayList

/**
 * Mirrors core/src/main/java/hudson/model/Actionable.java: the persisted action list of
 * runs and queue items. getAllActions() adds no transient actions in the double.
 */
abstract class Actionable implements ModelObject {
    protected volatile List<Action> actions

    /** The live, mutable list, as Jenkins' deprecated getActions() returns it. */
    List<Action> getActions() {
        if (actions == null) {
            synchronized (this) {
                if (actions == null) {
                    actions = new CopyOnWriteArrayList<Action>()
                }
            }
        }
        return actions
    }

    List<? extends Action> getAllActions() {
        return Collections.unmodifiableList(new ArrayList<Action>(getActions()))
    }

    public <T extends Action> List<T> getActions(Class<T> type) {
        List<T> r = new ArrayList<T>()
        for (Action a : getAllActions()) {
            if (type.isInstance(a)) {
                r.add(type.cast(a))
            }
        }
        return Collections.unmodifiableList(r)
    }

    public <T extends Action> T getAction(Class<T> type) {
        for (Action a : getAllActions()) {
            if (type.isInstance(a)) {
                return type.cast(a)
            }
        }
        return null
    }

    void addAction(Action a) {
        if (a == null) {
            throw new IllegalArgumentException("Action must be non-null")
        }
        getActions().add(a)
    }

    void replaceAction(Action a) {
        addOrReplaceAction(a)
    }

    boolean addOrReplaceAction(Action a) {
        if (a == null) {
            throw new IllegalArgumentException("Action must be non-null")
        }
        List<Action> old = new ArrayList<Action>(1)
        List<Action> current = getActions()
        boolean found = false
        for (Action a2 : current) {
            if (!found && a.equals(a2)) {
                found = true
            } else if (a2.getClass() == a.getClass()) {
                old.add(a2)
            }
        }
        current.removeAll(old)
        if (!found) {
            addAction(a)
        }
        return !found || !old.isEmpty()
    }

    boolean removeAction(Action a) {
        if (a == null) {
            return false
        }
        return getActions().removeAll(Collections.singleton(a))
    }

    boolean removeActions(Class<? extends Action> clazz) {
        List<Action> old = new ArrayList<Action>()
        for (Action a : getActions()) {
            if (clazz.isInstance(a)) {
                old.add(a)
            }
        }
        return getActions().removeAll(old)
    }
}
