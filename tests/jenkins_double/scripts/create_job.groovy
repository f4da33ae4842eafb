// Creates (or replaces) a freestyle job the way one would on a real Jenkins.
// Data (JSON, base64): name, folder (full name of an existing folder, null: top level),
// command (null: no builder), label (null: roams), concurrent, disabled,
// parameters [{name, type: string|text|boolean, default}].
// Prints the job's URL. Jenkins APIs: Jenkins.getItemByFullName, createProject (Jenkins
// and Folder), AbstractProject (setAssignedLabel, setConcurrentBuild, addProperty),
// Project.getBuildersList.
import hudson.model.*
import hudson.tasks.Shell
import jenkins.model.Jenkins

def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('@@DATA@@'), 'UTF-8'))
def j = Jenkins.get()
def parent = data.folder == null ? j : j.getItemByFullName(data.folder)
if (!(parent instanceof ItemGroup)) {
    throw new IllegalArgumentException('no folder ' + data.folder)
}
def old = parent.getItem(data.name)
if (old != null) {
    old.delete()
}
def job = parent.createProject(FreeStyleProject, data.name)
job.setAssignedLabel(data.label == null ? null : j.getLabel(data.label))
job.setConcurrentBuild(data.concurrent as boolean)
if (data.command != null) {
    job.getBuildersList().add(new Shell(data.command))
}
if (data.parameters) {
    def defs = data.parameters.collect { p ->
        switch (p.type) {
            case 'text': return new TextParameterDefinition(p.name, p.default, null)
            case 'boolean': return new BooleanParameterDefinition(p.name, p.default as boolean, null)
            default: return new StringParameterDefinition(p.name, p.default, null)
        }
    }
    job.addProperty(new ParametersDefinitionProperty(defs))
}
if (data.disabled) {
    job.disable()
}
println job.url
