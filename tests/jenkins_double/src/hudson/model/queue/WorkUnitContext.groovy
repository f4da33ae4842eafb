package hudson.model.queue

import hudson.model.Action
import hudson.model.Queue

/**
 * Mirrors core/src/main/java/hudson/model/queue/WorkUnitContext.java for the single
 * work unit a FreeStyleProject has: carries the item's actions to the executor and
 * completes the item's future at start and at end.
 */
final class WorkUnitContext {
    final Queue.BuildableItem item
    final Queue.Task task
    final FutureImpl future
    final List<Action> actions
    private final List<WorkUnit> workUnits = new ArrayList<WorkUnit>()

    WorkUnitContext(Queue.BuildableItem item) {
        this.item = item
        this.task = item.task
        this.future = (FutureImpl) item.getFuture()
        this.actions = new ArrayList<Action>(item.getActions())
    }

    WorkUnit createWorkUnit(SubTask execUnit) {
        WorkUnit wu = new WorkUnit(this, execUnit)
        workUnits.add(wu)
        return wu
    }

    List<WorkUnit> getWorkUnits() {
        return Collections.unmodifiableList(workUnits)
    }

    WorkUnit getPrimaryWorkUnit() {
        return workUnits.get(0)
    }

    void synchronizeStart(Queue.Executable executable) {
        future.start.set(executable)
    }

    void synchronizeEnd(Queue.Executable executable, Throwable problems) {
        if (problems == null) {
            future.set(executable)
        } else {
            future.set(problems)
        }
        future.finished()
    }
}
