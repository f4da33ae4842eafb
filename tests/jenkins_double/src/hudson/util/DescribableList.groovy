package hudson.util

import hudson.model.Saveable
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Mirrors core/src/main/java/hudson/util/DescribableList.java (a PersistedList): a list
 * whose every change saves its owner, as a job's builders list does in Jenkins.
 */
class DescribableList<T, D> extends AbstractList<T> {
    private final CopyOnWriteArrayList<T> data = new CopyOnWriteArrayList<T>()
    private transient Saveable owner

    DescribableList(Saveable owner) {
        this.owner = owner
    }

    DescribableList(Saveable owner, Collection<? extends T> initialList) {
        this(owner)
        data.addAll(initialList)
    }

    void setOwner(Saveable owner) {
        this.owner = owner
    }

    @Override
    T get(int index) {
        return data.get(index)
    }

    @Override
    int size() {
        return data.size()
    }

    @Override
    boolean add(T item) {
        data.add(item)
        onModified()
        return true
    }

    @Override
    void add(int index, T item) {
        data.add(index, item)
        onModified()
    }

    @Override
    T set(int index, T item) {
        T old = data.set(index, item)
        onModified()
        return old
    }

    @Override
    T remove(int index) {
        T old = data.remove(index)
        onModified()
        return old
    }

    @Override
    boolean remove(Object o) {
        boolean r = data.remove(o)
        if (r) {
            onModified()
        }
        return r
    }

    @Override
    void clear() {
        data.clear()
        onModified()
    }

    void replaceBy(Collection<? extends T> col) {
        data.clear()
        data.addAll(col)
        onModified()
    }

    public <U extends T> U get(Class<U> type) {
        for (T t : data) {
            if (type.isInstance(t)) {
                return type.cast(t)
            }
        }
        return null
    }

    List<T> toList() {
        return Collections.unmodifiableList(new ArrayList<T>(data))
    }

    protected void onModified() {
        if (owner != null) {
            owner.save()
        }
    }
}
