package hudson.model

/** Mirrors core/src/main/java/hudson/model/InvisibleAction.java. */
abstract class InvisibleAction implements Action {
    String getIconFileName() { return null }
    String getDisplayName() { return null }
    String getUrlName() { return null }
}
