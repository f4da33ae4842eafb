package hudson.model

/** Mirrors core/src/main/java/hudson/model/TextParameterValue.java. */
class TextParameterValue extends StringParameterValue {
    TextParameterValue(String name, String value) {
        super(name, value)
    }

    TextParameterValue(String name, String value, String description) {
        super(name, value, description)
    }

    @Override
    String toString() {
        return "(TextParameterValue) " + getName() + "='" + value + "'"
    }
}
