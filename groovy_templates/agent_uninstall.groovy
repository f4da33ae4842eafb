{#-
  agent_uninstall: removes every trace of the agent: its dispatcher and
  listeners from their extension lists (any version, matched by class name
  prefix), its reservations, and its init.groovy.d copy if present.
  Payload: {"nonce", "init_script"}. Reply: {"removed": [class names], "init_script_deleted": bool}.
  Jenkins APIs: hudson/ExtensionList.java (lookup, remove), jenkins/model/Jenkins.java (getRootDir),
  hudson/model/Queue.java (scheduleMaintenance).
-#}
{% include "_payload.groovy" %}
{% include "_extension_types.groovy" %}
def removed = []
extensionTypes.each { type ->
    def list = hudson.ExtensionList.lookup(type)
    list.findAll { it.getClass().getName().startsWith('GearmanJenkins') }.each { extension ->
        if (extension.getClass().getName() == 'GearmanJenkinsAgent') {
            extension.shutdown()
        }
        list.remove(extension)
        removed << extension.getClass().getName()
    }
}
def initScript = new File(jenkins.model.Jenkins.get().getRootDir(), payload.init_script)
def deleted = initScript.exists() && initScript.delete()
jenkins.model.Jenkins.get().getQueue().scheduleMaintenance()
def reply = [removed: removed.unique(), init_script_deleted: deleted]
{% include "_reply.groovy" %}
