package org.jenkinsci.plugins.workflow.steps

/**
 * Mirrors workflow-step-api-plugin's
 * src/main/java/org/jenkinsci/plugins/workflow/steps/MissingContextVariableException.java:
 * a step needs something only an enclosing step provides (sh needs a node's workspace).
 * The double has no hudson.FilePath class, so the missing type is given by name.
 */
class MissingContextVariableException extends Exception {
    private final String typeName
    private final String functionName

    MissingContextVariableException(String typeName, String functionName) {
        this.typeName = typeName
        this.functionName = functionName
    }

    @Override
    String getMessage() {
        return "Required context class " + typeName + " is missing\nPerhaps you forgot to surround the " + functionName + " step with a step that provides this, such as: node"
    }
}
