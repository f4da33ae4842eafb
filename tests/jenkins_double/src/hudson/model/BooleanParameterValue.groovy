package hudson.model

import hudson.EnvVars
import hudson.util.VariableResolver

/** Mirrors core/src/main/java/hudson/model/BooleanParameterValue.java. */
class BooleanParameterValue extends ParameterValue {
    public final boolean value

    BooleanParameterValue(String name, boolean value) {
        this(name, value, null)
    }

    BooleanParameterValue(String name, boolean value, String description) {
        super(name, description)
        this.value = value
    }

    @Override
    Boolean getValue() { return value }

    @Override
    void buildEnvironment(Run build, EnvVars env) {
        env.put(name, Boolean.toString(value))
        env.put(name.toUpperCase(Locale.ENGLISH), Boolean.toString(value))
    }

    @Override
    VariableResolver<String> createVariableResolver(AbstractBuild build) {
        final String myName = name
        final String myValue = Boolean.toString(value)
        return { String n -> myName.equals(n) ? myValue : null } as VariableResolver<String>
    }

    @Override
    boolean equals(Object o) {
        if (this.is(o)) {
            return true
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false
        }
        return value == ((BooleanParameterValue) o).value
    }

    @Override
    int hashCode() {
        return 31 * super.hashCode() + (value ? 1 : 0)
    }

    @Override
    String toString() {
        return "(BooleanParameterValue) " + getName() + "='" + value + "'"
    }

    @Override
    String getShortDescription() { return name + '=' + value }
}
