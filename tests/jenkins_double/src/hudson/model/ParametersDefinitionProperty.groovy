package hudson.model

/** Mirrors core/src/main/java/hudson/model/ParametersDefinitionProperty.java: the job's declared parameters. */
class ParametersDefinitionProperty extends JobProperty<Job> {
    private final List<ParameterDefinition> parameterDefinitions

    ParametersDefinitionProperty(List<ParameterDefinition> parameterDefinitions) {
        this.parameterDefinitions = parameterDefinitions != null ? parameterDefinitions : new ArrayList<ParameterDefinition>()
    }

    ParametersDefinitionProperty(ParameterDefinition... parameterDefinitions) {
        this.parameterDefinitions = parameterDefinitions != null ? Arrays.asList(parameterDefinitions) : new ArrayList<ParameterDefinition>()
    }

    Job getJob() { return owner }

    List<ParameterDefinition> getParameterDefinitions() { return parameterDefinitions }

    List<String> getParameterDefinitionNames() {
        List<String> names = new ArrayList<String>()
        for (ParameterDefinition d : parameterDefinitions) {
            names.add(d.getName())
        }
        return Collections.unmodifiableList(names)
    }

    ParameterDefinition getParameterDefinition(String name) {
        for (ParameterDefinition pd : parameterDefinitions) {
            if (pd.getName().equals(name)) {
                return pd
            }
        }
        return null
    }
}
