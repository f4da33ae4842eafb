package hudson.slaves

import hudson.ExtensionList
import hudson.ExtensionPoint
import hudson.model.Computer
import hudson.model.TaskListener

/** Mirrors core/src/main/java/hudson/slaves/ComputerListener.java: computer online/offline events. */
abstract class ComputerListener implements ExtensionPoint {
    void onOnline(Computer c) {}

    void onOnline(Computer c, TaskListener listener) throws IOException, InterruptedException {
        onOnline(c)
    }

    void onOffline(Computer c) {}

    void onOffline(Computer c, OfflineCause cause) {
        onOffline(c)
    }

    void onTemporarilyOnline(Computer c) {}

    void onTemporarilyOffline(Computer c, OfflineCause cause) {}

    void onConfigurationChange() {}

    void onIdle(Computer c) {}

    final void register() {
        all().add(this)
    }

    final boolean unregister() {
        return all().remove(this)
    }

    static ExtensionList<ComputerListener> all() {
        return ExtensionList.lookup(ComputerListener.class)
    }
}
