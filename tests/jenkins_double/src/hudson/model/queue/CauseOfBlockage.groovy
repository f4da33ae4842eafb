package hudson.model.queue

import hudson.model.Computer
import hudson.model.Label
import hudson.model.Node
import hudson.model.TaskListener
import org.jvnet.localizer.Localizable

/** Mirrors core/src/main/java/hudson/model/queue/CauseOfBlockage.java: why a queue item cannot run now. */
abstract class CauseOfBlockage {
    abstract String getShortDescription()

    /** Since 2.532 (hidden from scripts before): a fatal cause cancels the item instead of blocking it. */
    boolean isFatal() {
        return false
    }

    void print(TaskListener listener) {
        listener.getLogger().println(getShortDescription())
    }

    static CauseOfBlockage fromMessage(final Localizable l) {
        Objects.requireNonNull(l)
        return new CauseOfBlockage() {
            String getShortDescription() {
                return l.toString()
            }
        }
    }

    @Override
    String toString() {
        return getShortDescription()
    }

    static CauseOfBlockage createNeedsMoreExecutor(Localizable l) {
        return fromMessage(l)
    }

    private static String displayNameOf(Node node) {
        Computer c = node.toComputer()
        return c != null ? c.getDisplayName() : node.getDisplayName()
    }

    static final class BecauseNodeIsOffline extends CauseOfBlockage {
        final Node node

        BecauseNodeIsOffline(Node node) { this.node = node }

        String getShortDescription() { return "‘" + displayNameOf(node) + "’ is offline" }
    }

    static final class BecauseNodeIsNotAcceptingTasks extends CauseOfBlockage {
        final Node node

        BecauseNodeIsNotAcceptingTasks(Node node) { this.node = node }

        String getShortDescription() { return "‘" + displayNameOf(node) + "’ is not accepting tasks" }
    }

    static final class BecauseLabelIsOffline extends CauseOfBlockage {
        final Label label

        BecauseLabelIsOffline(Label l) { this.label = l }

        String getShortDescription() {
            if (label.isEmpty()) {
                return "There are no nodes with the label ‘" + label.getName() + "’"
            }
            return "All nodes of label ‘" + label.getName() + "’ are offline"
        }
    }

    static final class BecauseNodeIsBusy extends CauseOfBlockage {
        final Node node

        BecauseNodeIsBusy(Node node) { this.node = node }

        String getShortDescription() { return "Waiting for next available executor on ‘" + displayNameOf(node) + "’" }
    }

    static final class BecauseLabelIsBusy extends CauseOfBlockage {
        final Label label

        BecauseLabelIsBusy(Label label) { this.label = label }

        String getShortDescription() { return "Waiting for next available executor on ‘" + label.getName() + "’" }
    }
}
