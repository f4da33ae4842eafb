package hudson.model

/** Mirrors core/src/main/java/hudson/model/Saveable.java. */
interface Saveable {
    void save() throws IOException
}
