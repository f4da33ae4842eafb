package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/ItemGroup.java: a container of items (Jenkins
 * itself, a folder). Jenkins gives onRenamed a default body; Groovy 2.4 interfaces cannot,
 * so an implementation defines it (documented difference).
 */
interface ItemGroup<T extends Item> {
    String getFullName()
    String getFullDisplayName()
    Collection<T> getItems()
    String getUrl()
    String getUrlChildPrefix()
    T getItem(String name)
    File getRootDirFor(T child)
    void onRenamed(T item, String oldName, String newName) throws IOException
    void onDeleted(T item) throws IOException
}
