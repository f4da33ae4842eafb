package hudson.model

/** Mirrors core/src/main/java/hudson/model/ParameterDefinition.java: a declared parameter of a job. */
abstract class ParameterDefinition implements Serializable {
    private final String name
    private String description

    protected ParameterDefinition(String name) {
        if (name == null) {
            throw new IllegalArgumentException("Parameter name must be non-null")
        }
        this.name = name
    }

    String getName() { return name }

    String getDescription() { return description }

    void setDescription(String description) { this.description = description }

    abstract ParameterValue getDefaultParameterValue()

    /** The value given by a form or remote API field (buildWithParameters). */
    abstract ParameterValue createValue(String value)
}
