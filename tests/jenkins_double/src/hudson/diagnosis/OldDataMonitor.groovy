package hudson.diagnosis

import java.util.concurrent.ConcurrentHashMap
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/diagnosis/OldDataMonitor.java: remembers records
 * that could not be read back completely. In Jenkins, XStream cannot resolve a class
 * that a script defined (it is in no plugin's class loader) and drops that element;
 * the double's stores do the same and report here, with a WARNING naming the class.
 */
class OldDataMonitor {
    private static final Logger LOGGER = Logger.getLogger(OldDataMonitor.class.getName())
    private static final OldDataMonitor INSTANCE = new OldDataMonitor()

    private final Map<Object, List<String>> data = new ConcurrentHashMap<Object, List<String>>()

    static OldDataMonitor get(Jenkins j) {
        return INSTANCE
    }

    /** The records with unreadable data, each with the problems found. */
    Map<Object, List<String>> getData() {
        return Collections.unmodifiableMap(data)
    }

    boolean isActivated() {
        return !data.isEmpty()
    }

    /** Reports an element of obj that was dropped because its class cannot be loaded. */
    static void report(Object obj, Collection<Throwable> errors) {
        List<String> problems = new ArrayList<String>()
        for (Throwable t : errors) {
            problems.add(t.toString())
            LOGGER.log(Level.WARNING, "Failed to load data of " + obj + ", the element was dropped: " + t)
        }
        List<String> existing = INSTANCE.@data.get(obj)
        if (existing == null) {
            INSTANCE.@data.put(obj, Collections.synchronizedList(problems))
        } else {
            existing.addAll(problems)
        }
    }
}
