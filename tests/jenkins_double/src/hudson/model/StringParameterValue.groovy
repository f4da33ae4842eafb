package hudson.model

import hudson.EnvVars
import hudson.util.VariableResolver
import hudson.Util

/** Mirrors core/src/main/java/hudson/model/StringParameterValue.java. */
class StringParameterValue extends ParameterValue {
    public String value

    StringParameterValue(String name, String value) {
        this(name, value, null)
    }

    StringParameterValue(String name, String value, String description) {
        super(name, description)
        this.value = Util.fixNull(value)
    }

    /** Sets NAME and its upper-case form (pre-1.345 compatibility, kept by Jenkins). */
    @Override
    void buildEnvironment(Run build, EnvVars env) {
        env.put(name, value)
        env.put(name.toUpperCase(Locale.ENGLISH), value)
    }

    @Override
    VariableResolver<String> createVariableResolver(AbstractBuild build) {
        final String myName = name
        final String myValue = value
        return { String n -> myName.equals(n) ? myValue : null } as VariableResolver<String>
    }

    @Override
    String getValue() { return value }

    void doTrim() {
        if (value != null) {
            value = value.trim()
        }
    }

    @Override
    int hashCode() {
        return 31 * super.hashCode() + (value == null ? 0 : value.hashCode())
    }

    @Override
    boolean equals(Object obj) {
        if (this.is(obj)) {
            return true
        }
        if (!super.equals(obj) || getClass() != obj.getClass()) {
            return false
        }
        return Objects.equals(value, ((StringParameterValue) obj).value)
    }

    @Override
    String toString() {
        return "(StringParameterValue) " + getName() + "='" + value + "'"
    }

    @Override
    String getShortDescription() { return name + '=' + value }
}
