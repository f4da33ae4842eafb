package org.jenkinsci.plugins.workflow.support.steps.build

import hudson.AbortException
import hudson.model.Result
import hudson.model.Run

/**
 * Mirrors workflow-support-plugin's
 * src/main/java/org/jenkinsci/plugins/workflow/support/steps/build/RunWrapper.java: what a
 * Pipeline script sees as currentBuild. Only the current build's result, description and
 * display name can be set; setResult can only make the result worse (Run.setResult).
 */
final class RunWrapper implements Serializable {
    private final String externalizableId
    private final boolean currentBuild

    RunWrapper(Run build, boolean currentBuild) {
        this.externalizableId = build.getExternalizableId()
        this.currentBuild = currentBuild
    }

    Run getRawBuild() {
        return Run.fromExternalizableId(externalizableId)
    }

    private Run build() throws AbortException {
        Run r = getRawBuild()
        if (r == null) {
            throw new AbortException("No build record " + externalizableId + " could be located.")
        }
        return r
    }

    void setResult(String result) throws AbortException {
        if (!currentBuild) {
            throw new SecurityException("can only set the result property on the current build")
        }
        build().setResult(Result.fromString(result))
    }

    void setDescription(String d) throws IOException {
        if (!currentBuild) {
            throw new SecurityException("can only set the description property on the current build")
        }
        build().setDescription(d)
    }

    void setDisplayName(String n) throws IOException {
        if (!currentBuild) {
            throw new SecurityException("can only set the displayName property on the current build")
        }
        build().setDisplayName(n)
    }

    int getNumber() throws AbortException {
        return build().getNumber()
    }

    String getResult() throws AbortException {
        Result result = build().getResult()
        return result != null ? result.toString() : null
    }

    String getCurrentResult() throws AbortException {
        Result result = build().getResult()
        return result != null ? result.toString() : Result.SUCCESS.toString()
    }

    boolean resultIsBetterOrEqualTo(String other) throws AbortException {
        Result result = build().getResult()
        return (result != null ? result : Result.SUCCESS).isBetterOrEqualTo(Result.fromString(other))
    }

    boolean resultIsWorseOrEqualTo(String other) throws AbortException {
        Result result = build().getResult()
        return (result != null ? result : Result.SUCCESS).isWorseOrEqualTo(Result.fromString(other))
    }

    long getTimeInMillis() throws AbortException {
        return build().getTimeInMillis()
    }

    long getStartTimeInMillis() throws AbortException {
        return build().getStartTimeInMillis()
    }

    long getDuration() throws AbortException {
        Run b = build()
        return b.getDuration() != 0 ? b.getDuration() : System.currentTimeMillis() - b.getStartTimeInMillis()
    }

    String getDescription() throws AbortException {
        return build().getDescription()
    }

    String getDisplayName() throws AbortException {
        return build().getDisplayName()
    }

    String getFullDisplayName() throws AbortException {
        return build().getFullDisplayName()
    }

    String getProjectName() throws AbortException {
        return build().getParent().getName()
    }

    String getFullProjectName() throws AbortException {
        return build().getParent().getFullName()
    }

    String getId() throws AbortException {
        return build().getId()
    }

    String getExternalizableId() {
        return externalizableId
    }

    RunWrapper getPreviousBuild() throws AbortException {
        Run previous = build().getPreviousBuild()
        return previous != null ? new RunWrapper(previous, false) : null
    }

    RunWrapper getNextBuild() throws AbortException {
        Run next = build().getNextBuild()
        return next != null ? new RunWrapper(next, false) : null
    }
}
