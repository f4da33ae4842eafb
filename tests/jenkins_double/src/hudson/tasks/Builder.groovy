package hudson.tasks

import hudson.Launcher
import hudson.model.AbstractBuild
import hudson.model.BuildListener

/** Mirrors core/src/main/java/hudson/tasks/Builder.java: a build step of a freestyle job. */
abstract class Builder {
    abstract boolean perform(AbstractBuild build, Launcher launcher, BuildListener listener) throws InterruptedException, IOException

    /** The name the log uses for the step ("Build step 'Execute shell' ..."). */
    String getDisplayName() {
        return getClass().getSimpleName()
    }
}
