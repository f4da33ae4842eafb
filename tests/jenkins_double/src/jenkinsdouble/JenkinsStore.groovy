package jenkinsdouble

import hudson.model.Node
import jenkins.model.Jenkins
import jenkins.model.JenkinsLocationConfiguration

/**
 * Not a Jenkins class: the built-in node's settings in $JENKINS_HOME/config.json; the
 * root URL is JenkinsLocationConfiguration's (a GlobalConfiguration, loaded here).
 */
class JenkinsStore {
    static void save(Jenkins j) {
        new JsonFile(new File(j.getRootDir(), "config.json")).write([
            numExecutors: j.getNumExecutors(),
            mode        : j.getMode().name(),
            label       : j.getLabelString(),
            quietPeriod : j.getQuietPeriod(),
        ])
    }

    /** Applies the saved settings; the command line's root URL (if any) wins over the saved one. */
    static void load(Jenkins j, String rootUrlOverride) {
        JsonFile config = new JsonFile(new File(j.getRootDir(), "config.json"))
        if (config.exists()) {
            Map data = (Map) config.read()
            Fields.set(j, "numExecutors", (int) data.numExecutors)
            Fields.set(j, "mode", Node.Mode.valueOf((String) data.mode))
            Fields.set(j, "label", (String) data.label)
            Fields.set(j, "labelAtomSet", Collections.unmodifiableSet(hudson.model.Label.parse((String) data.label)))
            Fields.set(j, "quietPeriod", (int) data.quietPeriod)
        }
        JenkinsLocationConfiguration.get().load()
        if (rootUrlOverride != null) {
            JenkinsLocationConfiguration.get().setUrl(rootUrlOverride)
        }
    }
}
