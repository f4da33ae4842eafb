package hudson.model.labels

import hudson.model.Action
import hudson.model.Label
import hudson.model.queue.SubTask

/** Mirrors core/src/main/java/hudson/model/labels/LabelAssignmentAction.java: overrides a queue item's label. */
interface LabelAssignmentAction extends Action {
    Label getAssignedLabel(SubTask task)
}
