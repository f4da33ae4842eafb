package hudson.model

import hudson.EnvVars
import hudson.model.labels.LabelAssignmentAction
import hudson.model.queue.SubTask
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.RunAction2

/**
 * Mirrors core/src/main/java/hudson/model/ParametersAction.java. Once attached to a run,
 * getParameters() keeps only the job's declared parameters plus the safe ones
 * (constructor argument or -Dhudson.model.ParametersAction.safeParameters);
 * -Dhudson.model.ParametersAction.keepUndefinedParameters=true keeps all.
 * getAllParameters() always returns everything that was passed in.
 */
class ParametersAction implements RunAction2, Iterable<ParameterValue>, Queue.QueueAction, EnvironmentContributingAction, LabelAssignmentAction {
    static final String KEEP_UNDEFINED_PARAMETERS_SYSTEM_PROPERTY_NAME = ParametersAction.class.getName() + ".keepUndefinedParameters"
    static final String SAFE_PARAMETERS_SYSTEM_PROPERTY_NAME = ParametersAction.class.getName() + ".safeParameters"
    private static final Logger LOGGER = Logger.getLogger(ParametersAction.class.getName())

    private Set<String> safeParameters
    private final List<ParameterValue> parameters
    private List<String> parameterDefinitionNames
    private transient Run run

    ParametersAction(List<ParameterValue> parameters) {
        this.parameters = new ArrayList<ParameterValue>(parameters)
        String paramNames = System.getProperty(SAFE_PARAMETERS_SYSTEM_PROPERTY_NAME)
        safeParameters = new TreeSet<String>()
        if (paramNames != null) {
            safeParameters.addAll(Arrays.asList(paramNames.split(",")))
        }
    }

    ParametersAction(List<ParameterValue> parameters, Collection<String> additionalSafeParameters) {
        this(parameters)
        if (additionalSafeParameters != null) {
            safeParameters.addAll(additionalSafeParameters)
        }
    }

    ParametersAction(ParameterValue... parameters) {
        this(Arrays.asList(parameters))
    }

    void buildEnvironment(Run run, EnvVars env) {
        for (ParameterValue p : getParameters()) {
            if (p != null) {
                p.buildEnvironment(run, env)
            }
        }
    }

    Iterator<ParameterValue> iterator() {
        return getParameters().iterator()
    }

    List<ParameterValue> getParameters() {
        return Collections.unmodifiableList(filter(parameters))
    }

    /** Looks in all parameters, filtered or not, as Jenkins does. */
    ParameterValue getParameter(String name) {
        for (ParameterValue p : parameters) {
            if (p != null && p.getName().equals(name)) {
                return p
            }
        }
        return null
    }

    Label getAssignedLabel(SubTask task) {
        for (ParameterValue p : getParameters()) {
            if (p == null) {
                continue
            }
            Label l = p.getAssignedLabel(task)
            if (l != null) {
                return l
            }
        }
        return null
    }

    String getDisplayName() { return "Parameters" }

    String getIconFileName() { return "symbol-parameters" }

    String getUrlName() { return "parameters" }

    /**
     * Queue folding: with no ParametersAction among the other actions, a new item is
     * needed only if this one has parameters; otherwise only if the value sets differ.
     */
    boolean shouldSchedule(List<Action> actions) {
        List<ParametersAction> others = new ArrayList<ParametersAction>()
        for (Action a : actions) {
            if (a instanceof ParametersAction) {
                others.add((ParametersAction) a)
            }
        }
        if (others.isEmpty()) {
            return !parameters.isEmpty()
        }
        Set<ParameterValue> params = new HashSet<ParameterValue>()
        for (ParametersAction other : others) {
            params.addAll(other.parameters)
        }
        return !params.equals(new HashSet<ParameterValue>(this.parameters))
    }

    ParametersAction createUpdated(Collection<? extends ParameterValue> overrides) {
        if (overrides == null) {
            ParametersAction parametersAction = new ParametersAction(parameters)
            parametersAction.safeParameters = this.safeParameters
            return parametersAction
        }
        List<ParameterValue> combinedParameters = new ArrayList<ParameterValue>(overrides)
        Set<String> names = new HashSet<String>()
        for (ParameterValue v : overrides) {
            if (v != null) {
                names.add(v.getName())
            }
        }
        for (ParameterValue v : parameters) {
            if (v != null && !names.contains(v.getName())) {
                combinedParameters.add(v)
            }
        }
        return new ParametersAction(combinedParameters, this.safeParameters)
    }

    /** Records the job's declared parameter names at the moment the action joins a run. */
    void onAttached(Run r) {
        ParametersDefinitionProperty p = r.getParent().getProperty(ParametersDefinitionProperty.class)
        this.parameterDefinitionNames = p != null ? new ArrayList<String>(p.getParameterDefinitionNames()) : Collections.<String>emptyList()
        this.run = r
    }

    void onLoad(Run r) {
        this.run = r
    }

    private List<? extends ParameterValue> filter(List<ParameterValue> parameters) {
        if (this.run == null || this.parameterDefinitionNames == null) {
            return parameters
        }
        String keep = System.getProperty(KEEP_UNDEFINED_PARAMETERS_SYSTEM_PROPERTY_NAME)
        Boolean shouldKeepFlag = keep == null ? null : Boolean.valueOf(keep)
        if (shouldKeepFlag != null && shouldKeepFlag) {
            return parameters
        }
        List<ParameterValue> filteredParameters = new ArrayList<ParameterValue>()
        for (ParameterValue v : this.parameters) {
            if (this.parameterDefinitionNames.contains(v.getName()) || safeParameters.contains(v.getName())) {
                filteredParameters.add(v)
            } else if (shouldKeepFlag == null) {
                LOGGER.log(Level.WARNING, "Skipped parameter `{0}` as it is undefined on `{1}` (#{2}). Set `-D{3}=true` to allow "
                        + "undefined parameters to be injected as environment variables or `-D{4}=[comma-separated list]` to whitelist specific parameter names, "
                        + "even though it represents a security breach or `-D{3}=false` to no longer show this message.",
                        [v.getName(), run.getParent().getFullName(), run.getNumber(),
                         KEEP_UNDEFINED_PARAMETERS_SYSTEM_PROPERTY_NAME, SAFE_PARAMETERS_SYSTEM_PROPERTY_NAME] as Object[])
            }
        }
        return filteredParameters
    }

    List<ParameterValue> getAllParameters() {
        return Collections.unmodifiableList(parameters)
    }
}
