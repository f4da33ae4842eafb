package hudson.model

/** Mirrors core/src/main/java/hudson/model/TextParameterDefinition.java. */
class TextParameterDefinition extends StringParameterDefinition {
    TextParameterDefinition(String name) {
        super(name)
    }

    TextParameterDefinition(String name, String defaultValue, String description) {
        super(name, defaultValue, description)
    }

    @Override
    StringParameterValue getDefaultParameterValue() {
        return new TextParameterValue(getName(), getDefaultValue(), getDescription())
    }

    @Override
    ParameterValue createValue(String value) {
        return new TextParameterValue(getName(), value, getDescription())
    }
}
