{#-
  Part of agent.groovy: Pipeline jobs, their runs and their node blocks, as the
  agent sees them. The Pipeline plugins are optional in a master, so their
  classes are recognised by name and never imported: the agent installs into a
  master without them.

  A Pipeline run takes a one-off executor of the built-in node, which holds none
  of the node's configured executors. Each node(label) { } block of its script
  enters the queue as a PlaceholderTask; that is what takes an agent's executor,
  so that is what the agent pins (README: Pipeline jobs).

  Jenkins APIs: hudson/model/Node.java (canTake: how a node's labels and mode
  admit a task), hudson/model/Label.java (contains), hudson/model/queue/
  SubTask.java (getOwnerExecutable, since 2.389).
  Plugin APIs: workflow-job-plugin src/main/java/org/jenkinsci/plugins/workflow/
  job/WorkflowJob.java, WorkflowRun.java; workflow-durable-task-step-plugin
  src/main/java/org/jenkinsci/plugins/workflow/support/steps/
  ExecutorStepExecution.java (PlaceholderTask: getOwnerExecutable, getAssignedLabel).
-#}
class GearmanJenkinsPipelines {
    static final String JOB_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowJob'
    static final String RUN_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowRun'
    static final String NODE_BLOCK_CLASS = 'org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution$PlaceholderTask'

    static boolean isPipeline(Object job) {
        return job != null && job.getClass().getName() == JOB_CLASS
    }

    static boolean isPipelineRun(Object run) {
        return run != null && run.getClass().getName() == RUN_CLASS
    }

    static boolean isNodeBlock(Object task) {
        return task != null && task.getClass().getName() == NODE_BLOCK_CLASS
    }

    /** The run a node block belongs to; null once that run is gone. */
    static Run runOf(Object block) {
        def run = block.getOwnerExecutable()
        return run instanceof Run ? (Run) run : null
    }

    /** Whether the node's labels and mode admit a block with this label, by Node.canTake's rule. */
    static boolean admits(Node node, Label label) {
        return label != null ? label.contains(node) : node.getMode() != Node.Mode.EXCLUSIVE
    }
}
