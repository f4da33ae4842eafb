package hudson

/** Mirrors core/src/main/java/hudson/ExtensionPoint.java: marker of extension types. */
interface ExtensionPoint {
}
