package hudson.model

/** Mirrors core/src/main/java/hudson/model/BuildListener.java. */
interface BuildListener extends TaskListener {
}
