package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/Action.java: the three methods are abstract
 * there too, so a class implementing Action must define all of them in both.
 */
interface Action extends ModelObject {
    String getIconFileName()
    String getDisplayName()
    String getUrlName()
}
