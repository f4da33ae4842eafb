package hudson.model

/** Mirrors core/src/main/java/hudson/model/Build.java: a build of a Project. */
abstract class Build<P extends Project, B extends Build> extends AbstractBuild<P, B> {
    protected Build(P project) throws IOException {
        super(project)
    }

    protected Build(P project, File buildDir) throws IOException {
        super(project, buildDir)
    }
}
