package hudson.model.listeners

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Run
import hudson.model.TaskListener
import java.lang.reflect.ParameterizedType
import java.lang.reflect.Type
import java.util.function.Consumer
import jenkins.util.Listeners

/**
 * Mirrors core/src/main/java/hudson/model/listeners/RunListener.java. The no-argument
 * constructor reads R from the subclass's generic superclass, so `extends RunListener<Run>`
 * works and a raw `extends RunListener` fails, as in Jenkins. A listener only hears
 * runs that are instances of its targetType.
 */
abstract class RunListener<R extends Run> implements ExtensionPoint {
    final Class<R> targetType

    protected RunListener(Class<R> targetType) {
        this.targetType = targetType
    }

    protected RunListener() {
        Class<R> found = null
        Class<?> c = getClass()
        while (c != null && found == null) {
            Type t = c.getGenericSuperclass()
            if (t instanceof ParameterizedType && ((ParameterizedType) t).getRawType() == RunListener.class) {
                Type arg = ((ParameterizedType) t).getActualTypeArguments()[0]
                if (arg instanceof Class) {
                    found = (Class<R>) arg
                } else if (arg instanceof ParameterizedType) {
                    found = (Class<R>) ((ParameterizedType) arg).getRawType()
                } else {
                    found = (Class<R>) Run.class
                }
            }
            c = c.getSuperclass()
        }
        if (found == null) {
            throw new IllegalStateException(getClass().toString() + " uses the raw type for extending RunListener")
        }
        targetType = found
    }

    void onCompleted(R r, TaskListener listener) {}

    void onFinalized(R r) {}

    void onInitialize(R r) {}

    void onStarted(R r, TaskListener listener) {}

    void onDeleted(R r) {}

    void register() {
        all().add(this)
    }

    void unregister() {
        all().remove(this)
    }

    static void fireCompleted(final Run r, final TaskListener listener) {
        Listeners.notify(RunListener.class, true, { RunListener l -> if (l.targetType.isInstance(r)) { l.onCompleted(r, listener) } } as Consumer<RunListener>)
    }

    static void fireInitialize(final Run r) {
        Listeners.notify(RunListener.class, true, { RunListener l -> if (l.targetType.isInstance(r)) { l.onInitialize(r) } } as Consumer<RunListener>)
    }

    static void fireStarted(final Run r, final TaskListener listener) {
        Listeners.notify(RunListener.class, true, { RunListener l -> if (l.targetType.isInstance(r)) { l.onStarted(r, listener) } } as Consumer<RunListener>)
    }

    static void fireFinalized(final Run r) {
        Listeners.notify(RunListener.class, true, { RunListener l -> if (l.targetType.isInstance(r)) { l.onFinalized(r) } } as Consumer<RunListener>)
    }

    static void fireDeleted(final Run r) {
        Listeners.notify(RunListener.class, true, { RunListener l -> if (l.targetType.isInstance(r)) { l.onDeleted(r) } } as Consumer<RunListener>)
    }

    static ExtensionList<RunListener> all() {
        return ExtensionList.lookup(RunListener.class)
    }
}
