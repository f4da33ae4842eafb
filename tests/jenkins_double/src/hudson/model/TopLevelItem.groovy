package hudson.model

/** Mirrors core/src/main/java/hudson/model/TopLevelItem.java: an item Jenkins itself holds. */
interface TopLevelItem extends Item {
}
