package hudson

/**
 * Mirrors core/src/main/java/hudson/XmlFile.java, only as the file handed to
 * SaveableListener.onChange (the double writes JSON, not XStream XML; see
 * jenkinsdouble/*Store).
 */
class XmlFile {
    private final File file

    XmlFile(File file) {
        this.file = file
    }

    File getFile() {
        return file
    }

    boolean exists() {
        return file.exists()
    }

    @Override
    String toString() {
        return file.toString()
    }
}
