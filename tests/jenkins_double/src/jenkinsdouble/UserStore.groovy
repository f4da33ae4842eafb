package jenkinsdouble

import java.nio.file.Files
import java.util.regex.Pattern
import jenkins.model.Jenkins

/**
 * Not a Jenkins class: where users live, as core/src/main/java/hudson/model/UserIdMapper.java
 * lays it out: $JENKINS_HOME/users/users.json (Jenkins: users.xml) maps each user id
 * (lower-cased, Jenkins' default case-insensitive id strategy) to a directory named
 * after the id's letters and digits, an underscore and random digits
 * (users/admin_4938105567235816410/), made on the user's first save.
 */
class UserStore {
    private static final int PREFIX_MAX = 15
    private static final Pattern PREFIX_PATTERN = Pattern.compile("[^A-Za-z0-9]")

    static String keyFor(String id) {
        return id.toLowerCase(Locale.ENGLISH)
    }

    static File usersDirectory() {
        return new File(Jenkins.get().getRootDir(), "users")
    }

    private static JsonFile mappingFile() {
        return new JsonFile(new File(usersDirectory(), "users.json"))
    }

    private static synchronized Map<String, String> mapping() {
        JsonFile f = mappingFile()
        return f.exists() ? new LinkedHashMap<String, String>((Map<String, String>) f.read()) : new LinkedHashMap<String, String>()
    }

    static boolean isMapped(String id) {
        return mapping().containsKey(keyFor(id))
    }

    /** The user's directory, or null before its first save. */
    static File getDirectory(String id) {
        String dir = mapping().get(keyFor(id))
        return dir == null ? null : new File(usersDirectory(), dir)
    }

    /** The user's directory, made (and the mapping saved) if it has none yet. */
    static synchronized File putIfAbsent(String id) throws IOException {
        Map<String, String> m = mapping()
        String dir = m.get(keyFor(id))
        if (dir != null) {
            return new File(usersDirectory(), dir)
        }
        usersDirectory().mkdirs()
        String prefix = PREFIX_PATTERN.matcher(id).replaceAll("")
        prefix = prefix.length() > PREFIX_MAX - 1 ? prefix.substring(0, PREFIX_MAX - 1) + '_' : prefix + '_'
        File created = Files.createTempDirectory(usersDirectory().toPath(), prefix).toFile()
        m.put(keyFor(id), created.getName())
        mappingFile().write(m)
        return created
    }

    /** A user's saved config.json, or null. */
    static Map readConfig(String id) {
        File dir = getDirectory(id)
        if (dir == null) {
            return null
        }
        JsonFile f = new JsonFile(new File(dir, "config.json"))
        return f.exists() ? (Map) f.read() : null
    }
}
