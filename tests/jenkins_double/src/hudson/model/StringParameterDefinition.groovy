package hudson.model

import hudson.Util

/** Mirrors core/src/main/java/hudson/model/StringParameterDefinition.java. */
class StringParameterDefinition extends ParameterDefinition {
    private String defaultValue
    private boolean trim

    StringParameterDefinition(String name) {
        super(name)
    }

    StringParameterDefinition(String name, String defaultValue) {
        this(name)
        setDefaultValue(defaultValue)
    }

    StringParameterDefinition(String name, String defaultValue, String description) {
        this(name, defaultValue)
        setDescription(description)
    }

    StringParameterDefinition(String name, String defaultValue, String description, boolean trim) {
        this(name, defaultValue, description)
        setTrim(trim)
    }

    String getDefaultValue() { return defaultValue }

    String getDefaultValue4Build() {
        return isTrim() ? Util.fixNull(defaultValue).trim() : defaultValue
    }

    void setDefaultValue(String defaultValue) { this.defaultValue = defaultValue }

    boolean isTrim() { return trim }

    void setTrim(boolean trim) { this.trim = trim }

    @Override
    StringParameterValue getDefaultParameterValue() {
        StringParameterValue value = new StringParameterValue(getName(), defaultValue, getDescription())
        if (isTrim()) {
            value.doTrim()
        }
        return value
    }

    @Override
    ParameterValue createValue(String str) {
        StringParameterValue value = new StringParameterValue(getName(), str, getDescription())
        if (isTrim()) {
            value.doTrim()
        }
        return value
    }
}
