package hudson.model

import hudson.XmlFile
import hudson.model.listeners.SaveableListener
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkinsdouble.JsonFile

/**
 * Mirrors core/src/main/java/hudson/model/Descriptor.java only as a Saveable: getId() is
 * the described class's name, getConfigFile() $JENKINS_HOME/ID.json (Jenkins: ID.xml),
 * save() writes it and fires SaveableListener.onChange(this descriptor, that file),
 * load() reads it back. Subclasses say what they persist (persisted / restore); the
 * double's descriptors are the GlobalConfigurations it has.
 */
abstract class Descriptor<T> implements Saveable {
    private static final Logger LOGGER = Logger.getLogger(Descriptor.class.getName())
    public final transient Class<? extends T> clazz

    protected Descriptor(Class<? extends T> clazz) {
        this.clazz = clazz
    }

    /** A self-describing descriptor (GlobalConfiguration). */
    protected Descriptor() {
        this.clazz = (Class<? extends T>) getClass()
    }

    String getId() {
        return clazz.getName()
    }

    String getDisplayName() {
        return clazz.getSimpleName()
    }

    protected XmlFile getConfigFile() {
        return new XmlFile(new File(Jenkins.get().getRootDir(), getId() + ".json"))
    }

    /** Not in Jenkins (XStream writes the fields there): the fields this descriptor saves. */
    protected abstract Map<String, Object> persisted()

    /** Not in Jenkins: applies fields read by load(). */
    protected abstract void restore(Map<String, Object> data)

    @Override
    synchronized void save() {
        XmlFile file = getConfigFile()
        try {
            new JsonFile(file.getFile()).write(persisted())
            SaveableListener.fireOnChange(this, file)
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "Failed to save " + file, e)
        }
    }

    synchronized void load() {
        JsonFile f = new JsonFile(getConfigFile().getFile())
        if (!f.exists()) {
            return
        }
        try {
            restore((Map<String, Object>) f.read())
        } catch (Exception e) {
            LOGGER.log(Level.WARNING, "Failed to load " + f.file, e)
        }
    }
}
