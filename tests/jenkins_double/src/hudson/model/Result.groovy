package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/Result.java: the five results, ordered from
 * best (SUCCESS) to worst (ABORTED); only SUCCESS, UNSTABLE and FAILURE are complete builds.
 */
final class Result implements Serializable {
    static final Result SUCCESS = new Result("SUCCESS", 0, true)
    static final Result UNSTABLE = new Result("UNSTABLE", 1, true)
    static final Result FAILURE = new Result("FAILURE", 2, true)
    static final Result NOT_BUILT = new Result("NOT_BUILT", 3, false)
    static final Result ABORTED = new Result("ABORTED", 4, false)

    private static final Result[] ALL = [SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED] as Result[]

    private final String name
    final int ordinal
    final boolean completeBuild

    private Result(String name, int ordinal, boolean complete) {
        this.name = name
        this.ordinal = ordinal
        this.completeBuild = complete
    }

    Result combine(Result that) {
        return this.ordinal < that.ordinal ? that : this
    }

    static Result combine(Result r1, Result r2) {
        if (r1 == null) {
            return r2
        }
        return r2 == null ? r1 : r1.combine(r2)
    }

    boolean isWorseThan(Result that) { return this.ordinal > that.ordinal }
    boolean isWorseOrEqualTo(Result that) { return this.ordinal >= that.ordinal }
    boolean isBetterThan(Result that) { return this.ordinal < that.ordinal }
    boolean isBetterOrEqualTo(Result that) { return this.ordinal <= that.ordinal }
    boolean isCompleteBuild() { return completeBuild }

    @Override
    String toString() { return name }

    String toExportedObject() { return name }

    /** Unknown names give FAILURE, as in Jenkins. */
    static Result fromString(String s) {
        for (Result r : ALL) {
            if (s.equalsIgnoreCase(r.name)) {
                return r
            }
        }
        return FAILURE
    }

    static List<String> getNames() {
        List<String> l = new ArrayList<String>()
        for (Result r : ALL) {
            l.add(r.name)
        }
        return l
    }
}
