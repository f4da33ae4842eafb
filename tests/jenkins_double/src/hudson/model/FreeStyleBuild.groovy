package hudson.model

/** Mirrors core/src/main/java/hudson/model/FreeStyleBuild.java. */
class FreeStyleBuild extends Build<FreeStyleProject, FreeStyleBuild> {
    FreeStyleBuild(FreeStyleProject project) throws IOException {
        super(project)
    }

    FreeStyleBuild(FreeStyleProject project, File buildDir) throws IOException {
        super(project, buildDir)
    }
}
