package hudson.model

import hudson.tasks.Builder
import hudson.util.DescribableList

/** Mirrors core/src/main/java/hudson/model/Project.java: a project with a list of build steps. */
abstract class Project<P extends Project, B extends Build> extends AbstractProject<P, B> {
    private final DescribableList<Builder, Object> builders = new DescribableList<Builder, Object>(this)

    protected Project(ItemGroup parent, String name) {
        super(parent, name)
    }

    List<Builder> getBuilders() {
        return builders.toList()
    }

    /** The live list; adding a step saves the job. */
    DescribableList<Builder, Object> getBuildersList() {
        return builders
    }
}
