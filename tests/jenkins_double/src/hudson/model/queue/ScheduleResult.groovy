package hudson.model.queue

import hudson.model.Queue

/** Mirrors core/src/main/java/hudson/model/queue/ScheduleResult.java: what Queue.schedule2 did. */
abstract class ScheduleResult {
    boolean isCreated() { return false }

    boolean isRefused() { return false }

    Queue.Item getItem() { return null }

    Queue.WaitingItem getCreateItem() { return null }

    final boolean isAccepted() { return !isRefused() }

    static final class Created extends ScheduleResult {
        private final Queue.WaitingItem item

        private Created(Queue.WaitingItem item) { this.item = item }

        boolean isCreated() { return true }

        Queue.WaitingItem getCreateItem() { return item }

        Queue.Item getItem() { return item }
    }

    /** The request was folded into an item already in the queue. */
    static final class Existing extends ScheduleResult {
        private final Queue.Item item

        private Existing(Queue.Item item) { this.item = item }

        Queue.Item getItem() { return item }
    }

    static final class Refused extends ScheduleResult {
        boolean isRefused() { return true }
    }

    static Created created(Queue.WaitingItem i) { return new Created(i) }

    static Existing existing(Queue.Item i) { return new Existing(i) }

    static Refused refused() { return new Refused() }
}
