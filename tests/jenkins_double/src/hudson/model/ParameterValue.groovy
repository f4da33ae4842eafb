package hudson.model

import hudson.EnvVars
import hudson.util.VariableResolver

/**
 * Mirrors core/src/main/java/hudson/model/ParameterValue.java: a named value of a build.
 * Equality here is by class and name; subclasses add their value.
 */
abstract class ParameterValue implements Serializable {
    protected final String name
    private String description

    protected ParameterValue(String name, String description) {
        this.name = name
        this.description = description
    }

    protected ParameterValue(String name) {
        this(name, null)
    }

    String getDescription() { return description }

    void setDescription(String description) { this.description = description }

    final String getName() { return name }

    /** Puts this value into a build's environment (nothing by default). */
    void buildEnvironment(Run build, EnvVars env) {}

    /** Resolves this value's build variable (AbstractBuild.getBuildVariables); none by default. */
    VariableResolver<String> createVariableResolver(AbstractBuild build) {
        return { String n -> null } as VariableResolver<String>
    }

    Object getValue() { return null }

    boolean isSensitive() { return false }

    String getShortDescription() { return toString() }

    hudson.model.Label getAssignedLabel(hudson.model.queue.SubTask task) { return null }

    @Override
    int hashCode() { return Objects.hash(name) }

    @Override
    boolean equals(Object obj) {
        if (this.is(obj)) {
            return true
        }
        if (obj == null || getClass() != obj.getClass()) {
            return false
        }
        return Objects.equals(name, ((ParameterValue) obj).name)
    }
}
