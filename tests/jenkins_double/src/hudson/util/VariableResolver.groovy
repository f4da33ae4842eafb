package hudson.util

/** Mirrors core/src/main/java/hudson/util/VariableResolver.java: name -> value, null when unknown. */
interface VariableResolver<V> {
    V resolve(String name)
}
