package hudson.model

/** Mirrors core/src/main/java/hudson/model/ItemGroup.java: a container of items (Jenkins itself). */
interface ItemGroup<T extends Item> {
    String getFullName()
    String getFullDisplayName()
    Collection<T> getItems()
    String getUrl()
    T getItem(String name)
    File getRootDirFor(T child)
    void onDeleted(T item) throws IOException
}
