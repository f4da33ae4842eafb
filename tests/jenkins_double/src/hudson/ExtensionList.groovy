package hudson

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.logging.Level
import java.util.logging.Logger

/**
 * Mirrors core/src/main/java/hudson/ExtensionList.java: one list per extension type,
 * the same instance for every lookup. The double discovers no @Extension classes, so
 * a list holds only what code added with add() (Jenkins' "legacy instances"); this is
 * how scripts register listeners and dispatchers in both.
 */
class ExtensionList<T> extends AbstractList<T> {
    private static final Logger LOGGER = Logger.getLogger(ExtensionList.class.getName())
    private static final Map<Class<?>, ExtensionList<?>> LISTS = new ConcurrentHashMap<Class<?>, ExtensionList<?>>()

    final Class<T> extensionType
    private final List<T> instances = new CopyOnWriteArrayList<T>()

    protected ExtensionList(Class<T> extensionType) {
        this.extensionType = extensionType
    }

    static <T> ExtensionList<T> lookup(Class<T> type) {
        ExtensionList<?> list = LISTS.get(type)
        if (list == null) {
            LISTS.putIfAbsent(type, new ExtensionList<T>(type))
            list = LISTS.get(type)
        }
        return (ExtensionList<T>) list
    }

    static <U> U lookupSingleton(Class<U> type) {
        ExtensionList<U> all = lookup(type)
        if (all.size() != 1) {
            throw new IllegalStateException("Expected 1 instance of " + type.getName() + " but got " + all.size())
        }
        return all.get(0)
    }

    static <U> U lookupFirst(Class<U> type) {
        ExtensionList<U> all = lookup(type)
        if (all.isEmpty()) {
            throw new IllegalStateException("Found no instances of " + type.getName())
        }
        return all.get(0)
    }

    /** The instance of exactly this class (subclasses excluded), as in Jenkins. */
    public <U extends T> U get(Class<U> type) {
        for (T ext : instances) {
            if (ext.getClass() == type) {
                return type.cast(ext)
            }
        }
        return null
    }

    public <U extends T> U getInstance(Class<U> type) {
        U u = get(type)
        if (u == null) {
            throw new IllegalStateException("The class " + type.getName() + " was not found, potentially not yet loaded")
        }
        return u
    }

    @Override
    T get(int index) {
        return instances.get(index)
    }

    @Override
    int size() {
        return instances.size()
    }

    /** Read-only, as Jenkins' iterator: mutate through add/remove. */
    @Override
    Iterator<T> iterator() {
        return Collections.unmodifiableList(new ArrayList<T>(instances)).iterator()
    }

    List<T> reverseView() {
        List<T> copy = new ArrayList<T>(instances)
        Collections.reverse(copy)
        return copy
    }

    @Override
    boolean add(T t) {
        if (!extensionType.isInstance(t)) {
            throw new ClassCastException(t.getClass().getName() + " is not a " + extensionType.getName())
        }
        instances.add(t)
        LOGGER.log(Level.FINE, "added {0} to {1}", [t, extensionType.getName()] as Object[])
        return true
    }

    @Override
    void add(int index, T element) {
        add(element)
    }

    /** Removes the first instance equal to o (Jenkins compares with equals()). */
    @Override
    boolean remove(Object o) {
        for (T t : instances) {
            if (t.equals(o)) {
                return instances.remove(t)
            }
        }
        return false
    }

    @Override
    T remove(int index) {
        T t = get(index)
        remove((Object) t)
        return t
    }

    @Override
    boolean removeAll(Collection<?> c) {
        boolean removed = false
        for (Object o : c) {
            removed |= remove(o)
        }
        return removed
    }
}
