{#-
  The extension points the agent registers with (hudson/ExtensionList.java):
  the install looks for strays of an interrupted install in them, the
  uninstall removes every GearmanJenkins* extension from them.
-#}
def extensionTypes = [hudson.model.queue.QueueTaskDispatcher, hudson.model.listeners.RunListener,
                      hudson.model.listeners.ItemListener, hudson.slaves.ComputerListener, jenkins.model.NodeListener,
                      hudson.model.queue.QueueListener, hudson.model.listeners.SaveableListener]
