package hudson.model

/** Mirrors core/src/main/java/hudson/model/FreeStyleProject.java. */
class FreeStyleProject extends Project<FreeStyleProject, FreeStyleBuild> implements TopLevelItem {
    FreeStyleProject(ItemGroup parent, String name) {
        super(parent, name)
    }

    @Override
    Class<FreeStyleBuild> getBuildClass() {
        return FreeStyleBuild.class
    }
}
