package jenkinsdouble

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/** Not a Jenkins class: reads and atomically writes one JSON file (Jenkins: XmlFile + AtomicFileWriter). */
class JsonFile {
    final File file

    JsonFile(File file) {
        this.file = file
    }

    boolean exists() {
        return file.exists()
    }

    Object read() {
        return new JsonSlurper().parse(file, StandardCharsets.UTF_8.name())
    }

    void write(Object data) {
        file.getParentFile().mkdirs()
        File tmp = new File(file.getParentFile(), file.getName() + ".tmp")
        tmp.setText(JsonOutput.prettyPrint(JsonOutput.toJson(data)), StandardCharsets.UTF_8.name())
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    }
}
