package hudson.model

/** Mirrors core/src/main/java/hudson/model/BuildableItem.java: an item that can be scheduled. */
interface BuildableItem extends Item, Queue.Task {
    boolean scheduleBuild(int quietPeriod, Cause c)
}
