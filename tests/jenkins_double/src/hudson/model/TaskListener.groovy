package hudson.model

/** Mirrors core/src/main/java/hudson/model/TaskListener.java: where a task writes its log. */
interface TaskListener extends Serializable {
    PrintStream getLogger()

    PrintWriter error(String msg)

    PrintWriter fatalError(String msg)
}
