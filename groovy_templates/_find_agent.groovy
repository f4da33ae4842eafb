{#-
  Finds the resident agent: the QueueTaskDispatcher whose class is
  GearmanJenkinsAgent (hudson/ExtensionList.java: lookup). Classes of
  different installs live in different class loaders, so match by name and
  call it dynamically. A loop, not a closure: every closure is one more
  class for the script console to compile on each call. `agents` holds every
  running one (more than one only while an install is interrupted).
-#}
def agents = []
for (candidate in hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher)) {
    if (candidate.getClass().getName() == 'GearmanJenkinsAgent' && !candidate.stopped) {
        agents << candidate
    }
}
def agent = agents ? agents[0] : null
