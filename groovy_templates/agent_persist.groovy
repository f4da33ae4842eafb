{#-
  agent_persist: writes the agent script into $JENKINS_HOME/init.groovy.d/
  so that Jenkins runs it at boot (GroovyInitScript), atomically (write a
  temporary file, then rename), and reports what it did.
  Payload: {"nonce", "init_script": relative path, "text": script text}.
  Reply: {"path", "bytes", "changed": bool}.
  Jenkins APIs: jenkins/model/Jenkins.java (getRootDir).
-#}
{% include "_payload.groovy" %}
def target = new File(jenkins.model.Jenkins.get().getRootDir(), payload.init_script)
def bytes = payload.text.getBytes('UTF-8')
def changed = !(target.exists() && java.util.Arrays.equals(target.bytes, bytes))
if (changed) {
    target.parentFile.mkdirs()
    def temporary = new File(target.parentFile, '.' + target.name + '.tmp')
    temporary.bytes = bytes
    java.nio.file.Files.move(temporary.toPath(), target.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                             java.nio.file.StandardCopyOption.ATOMIC_MOVE)
}
def reply = [path: target.path, bytes: bytes.length, changed: changed]
{% include "_reply.groovy" %}
