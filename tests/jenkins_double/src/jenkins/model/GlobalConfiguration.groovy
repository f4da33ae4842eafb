package jenkins.model

import hudson.ExtensionList
import hudson.model.Descriptor

/**
 * Mirrors core/src/main/java/jenkins/model/GlobalConfiguration.java: a self-describing
 * descriptor holding global settings, listed by all() (the double registers its two at
 * boot: JenkinsLocationConfiguration, ApiTokenPropertyConfiguration).
 */
abstract class GlobalConfiguration extends Descriptor<GlobalConfiguration> {
    protected GlobalConfiguration() {
        super()
    }

    static ExtensionList<GlobalConfiguration> all() {
        return ExtensionList.lookup(GlobalConfiguration.class)
    }
}
