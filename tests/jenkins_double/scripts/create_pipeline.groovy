// Creates (or replaces) a Pipeline job the way one would on a real Jenkins.
// Data (JSON, base64): name, folder (full name of an existing folder, null: top level),
// script (the Pipeline script), sandbox, concurrent (false: DisableConcurrentBuildsJobProperty),
// disabled, parameters [{name, type: string|text|boolean, default}].
// Prints the job's URL. Jenkins APIs: Jenkins.getItemByFullName, createProject (Jenkins and
// Folder), WorkflowJob.setDefinition(new CpsFlowDefinition(script, sandbox)), addProperty,
// makeDisabled.
import hudson.model.*
import jenkins.model.Jenkins
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition
import org.jenkinsci.plugins.workflow.job.WorkflowJob
import org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty

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
def job = parent.createProject(WorkflowJob, data.name)
job.setDefinition(new CpsFlowDefinition(data.script, data.sandbox as boolean))
if (!data.concurrent) {
    job.addProperty(new DisableConcurrentBuildsJobProperty())
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
    job.makeDisabled(true)
}
println job.url
