{#-
  Finds the resident agent: the QueueTaskDispatcher whose class is
  GearmanJenkinsAgent (hudson/ExtensionList.java: lookup). Classes of
  different installs live in different class loaders, so match by name and
  call it dynamically.
-#}
def agent = hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher).find { it.getClass().getName() == 'GearmanJenkinsAgent' && !it.stopped }
