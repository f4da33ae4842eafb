package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/OneOffExecutor.java: an executor added for one
 * flyweight task (a Pipeline run) and removed when it is done; number -1, not counted in
 * Computer.getExecutors() or the computer's executor count.
 */
class OneOffExecutor extends Executor {
    OneOffExecutor(Computer owner) {
        super(owner, -1)
    }
}
