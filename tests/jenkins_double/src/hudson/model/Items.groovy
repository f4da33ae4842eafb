package hudson.model

import hudson.model.listeners.ItemListener
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/**
 * Mirrors core/src/main/java/hudson/model/Items.java: walking the item tree and moving
 * items between folders. No permissions: every item is visible (the double's users are
 * admins or read-only for everything).
 */
class Items {
    /** Case-insensitive by name, as Items.BY_NAME. */
    static final Comparator<Item> BY_NAME = { Item a, Item b -> a.getName().compareToIgnoreCase(b.getName()) } as Comparator<Item>

    /** Every item of the type under root, depth first, each level by name. */
    static <T extends Item> List<T> getAllItems(ItemGroup root, Class<T> type) {
        List<T> r = new ArrayList<T>()
        collect(root, type, r)
        return r
    }

    private static <T extends Item> void collect(ItemGroup root, Class<T> type, List<T> r) {
        List<Item> items = new ArrayList<Item>()
        for (Object o : root.getItems()) {
            Item i = (Item) o
            if (i instanceof ItemGroup || type.isInstance(i)) {
                items.add(i)
            }
        }
        Collections.sort(items, BY_NAME)
        for (Item i : items) {
            if (type.isInstance(i)) {
                r.add(type.cast(i))
            }
            if (i instanceof ItemGroup) {
                collect((ItemGroup) i, type, r)
            }
        }
    }

    /**
     * Every item of the type under root "without concern for the order": Jenkins' iterator
     * takes a group's items in its getItems() order and descends into groups last-seen
     * first (a stack); the double returns a list in that same order.
     */
    static <T extends Item> Iterable<T> allItems(ItemGroup root, Class<T> type) {
        List<T> r = new ArrayList<T>()
        Deque<ItemGroup> stack = new ArrayDeque<ItemGroup>()
        stack.push(root)
        while (!stack.isEmpty()) {
            ItemGroup group = stack.pop()
            for (Object o : group.getItems()) {
                Item item = (Item) o
                if (item instanceof ItemGroup) {
                    stack.push((ItemGroup) item)
                }
                if (type.isInstance(item)) {
                    r.add(type.cast(item))
                }
            }
        }
        return r
    }

    /**
     * Moves an item (job or folder) to another folder or to the top level: its directory
     * moves, the old parent forgets it, the destination adds it, then onLocationChanged
     * fires for it and everything inside it. Not a rename: the destination must differ.
     */
    static <I extends TopLevelItem> I move(I item, DirectlyModifiableTopLevelItemGroup destination) throws IOException, IllegalArgumentException {
        DirectlyModifiableTopLevelItemGroup oldParent = (DirectlyModifiableTopLevelItemGroup) item.getParent()
        if (oldParent.is(destination)) {
            throw new IllegalArgumentException()
        }
        if (!destination.canAdd(item)) {
            throw new IllegalArgumentException()
        }
        String name = item.getName()
        verifyItemDoesNotAlreadyExist(destination, name, null)
        String oldFullName = item.getFullName()
        File destDir = destination.getRootDirFor(item)
        destDir.getParentFile().mkdirs()
        File srcDir = ((AbstractItem) item).getRootDir()
        if (destDir.exists()) {
            throw new IOException("Destination '" + destDir + "' already exists")
        }
        Files.move(srcDir.toPath(), destDir.toPath(), StandardCopyOption.ATOMIC_MOVE)
        oldParent.remove(item)
        I newItem = destination.add(item, name)
        ((AbstractItem) item).movedTo(destination, (AbstractItem) newItem, destDir)
        ItemListener.fireLocationChange(newItem, oldFullName)
        return newItem
    }

    /** Jenkins: package-private. */
    static void verifyItemDoesNotAlreadyExist(ItemGroup parent, String newName, Item variant) throws IllegalArgumentException {
        Item existing = parent.getItem(newName)
        if (existing != null && !existing.is(variant)) {
            String prefix = parent.getFullName()
            throw new IllegalArgumentException((prefix.isEmpty() ? "" : prefix + "/") + newName + " already exists")
        }
    }
}
