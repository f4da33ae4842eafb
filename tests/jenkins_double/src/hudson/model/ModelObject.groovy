package hudson.model

/** Mirrors core/src/main/java/hudson/model/ModelObject.java. */
interface ModelObject {
    String getDisplayName()
}
