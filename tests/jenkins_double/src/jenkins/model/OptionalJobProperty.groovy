package jenkins.model

import hudson.model.Job
import hudson.model.JobProperty

/** Mirrors core/src/main/java/jenkins/model/OptionalJobProperty.java: a job property that is simply on or off. */
abstract class OptionalJobProperty<J extends Job> extends JobProperty<J> {
}
