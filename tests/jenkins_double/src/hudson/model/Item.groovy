package hudson.model

/** Mirrors core/src/main/java/hudson/model/Item.java: a named thing in an ItemGroup (here: a job). */
interface Item extends ModelObject, Saveable {
    ItemGroup<? extends Item> getParent()
    String getName()
    String getFullName()
    String getDisplayName()
    String getFullDisplayName()
    String getUrl()
    void delete() throws IOException, InterruptedException
}
