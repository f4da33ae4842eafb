package hudson.model

/** Mirrors core/src/main/java/hudson/model/BooleanParameterDefinition.java. */
class BooleanParameterDefinition extends ParameterDefinition {
    private boolean defaultValue

    BooleanParameterDefinition(String name) {
        super(name)
    }

    BooleanParameterDefinition(String name, boolean defaultValue, String description) {
        super(name)
        this.defaultValue = defaultValue
        setDescription(description)
    }

    boolean isDefaultValue() { return defaultValue }

    void setDefaultValue(boolean defaultValue) { this.defaultValue = defaultValue }

    @Override
    BooleanParameterValue getDefaultParameterValue() {
        return new BooleanParameterValue(getName(), defaultValue, getDescription())
    }

    /** Like Jenkins, anything but "true" (ignoring case) is false. */
    @Override
    ParameterValue createValue(String value) {
        return new BooleanParameterValue(getName(), Boolean.parseBoolean(value), getDescription())
    }
}
