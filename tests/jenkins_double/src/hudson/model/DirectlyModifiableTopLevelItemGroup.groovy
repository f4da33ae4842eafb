package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/DirectlyModifiableTopLevelItemGroup.java: an item
 * group items can be moved into and out of (Jenkins, a Folder), used by Items.move.
 * Jenkins' parent interface ModifiableTopLevelItemGroup (copy, createProjectFromXML...) is
 * not mirrored.
 */
interface DirectlyModifiableTopLevelItemGroup extends ItemGroup<TopLevelItem> {
    boolean canAdd(TopLevelItem item)

    public <I extends TopLevelItem> I add(I item, String name) throws IOException, IllegalArgumentException

    void remove(TopLevelItem item) throws IOException, IllegalArgumentException
}
