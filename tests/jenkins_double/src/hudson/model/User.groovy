package hudson.model

import hudson.XmlFile
import hudson.model.listeners.SaveableListener
import hudson.security.ACL
import hudson.security.SecurityRealm
import java.util.concurrent.ConcurrentHashMap
import jenkins.model.Jenkins
import jenkins.security.ApiTokenProperty
import jenkinsdouble.JsonFile
import jenkinsdouble.UserStore
import org.springframework.security.authentication.AnonymousAuthenticationToken
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken
import org.springframework.security.core.Authentication

/**
 * Mirrors core/src/main/java/hudson/model/User.java: a user, known by id
 * (case-insensitive). getById(id, true) makes one in memory without saving it (id and
 * full name are the same), as Jenkins does; save() writes users/DIR/config.json
 * (Jenkins: config.xml; DIR as UserIdMapper names it, see jenkinsdouble.UserStore) and
 * fires SaveableListener.onChange(user, that file). "anonymous", "SYSTEM" and "unknown"
 * cannot be saved. current() is the user the thread acts as: null when anonymous, a
 * user named SYSTEM on a thread running as ACL.SYSTEM2 (executors, timers), as in
 * Jenkins. A user's only property is its ApiTokenProperty.
 */
class User implements Saveable, ModelObject {
    private static final Map<String, User> ALL = new ConcurrentHashMap<String, User>()
    private static final List<String> ILLEGAL_PERSISTED_USERNAMES = [ACL.ANONYMOUS_USERNAME, ACL.SYSTEM_USERNAME, "unknown"]

    private volatile String id
    private volatile String fullName
    private final ApiTokenProperty apiTokenProperty

    private User(String id, String fullName) {
        this.id = id
        this.fullName = fullName
        Map saved = UserStore.readConfig(id)
        if (saved != null && saved.fullName != null) {
            this.fullName = (String) saved.fullName
        }
        this.apiTokenProperty = new ApiTokenProperty(this, saved == null ? null : (List) saved.apiTokens)
    }

    String getId() {
        return id
    }

    String getFullName() {
        return fullName
    }

    /** Sets the full name in memory (save() persists it), as in Jenkins. */
    void setFullName(String name) {
        if (name == null || name.trim().isEmpty()) {
            name = id
        }
        this.fullName = name
    }

    String getDisplayName() {
        return getFullName()
    }

    String getUrl() {
        return "user/" + URLEncoder.encode(UserStore.keyFor(id), "UTF-8").replace("+", "%20")
    }

    /** The user's directory, or null while the user was never saved. */
    File getUserFolder() {
        return UserStore.getDirectory(id)
    }

    public <T> T getProperty(Class<T> clazz) {
        return clazz.isInstance(apiTokenProperty) ? clazz.cast(apiTokenProperty) : null
    }

    /** An authentication of this user (an authenticated token with the authenticated authority). */
    Authentication impersonate2() {
        return new UsernamePasswordAuthenticationToken(id, "", Collections.singleton(SecurityRealm.AUTHENTICATED_AUTHORITY2))
    }

    static boolean isIdOrFullnameAllowed(String id) {
        if (id == null || id.trim().isEmpty()) {
            return false
        }
        for (String invalid : ILLEGAL_PERSISTED_USERNAMES) {
            if (id.trim().equalsIgnoreCase(invalid)) {
                return false
            }
        }
        return true
    }

    @Override
    synchronized void save() throws IOException {
        if (!isIdOrFullnameAllowed(id)) {
            throw new IOException("\"" + id + "\" is prohibited as a username for security reasons.")
        }
        if (!isIdOrFullnameAllowed(fullName)) {
            throw new IOException("\"" + fullName + "\" is prohibited as a full name for security reasons.")
        }
        File dir = UserStore.putIfAbsent(id)
        XmlFile file = new XmlFile(new File(dir, "config.json"))
        new JsonFile(file.getFile()).write([id: id, fullName: fullName, apiTokens: apiTokenProperty.persisted()])
        SaveableListener.fireOnChange(this, file)
    }

    /** The user with this id; with create, one is made in memory (not saved) if none exists. */
    static User getById(String id, boolean create) {
        if (id == null) {
            return null
        }
        String key = UserStore.keyFor(id)
        User u = ALL.get(key)
        if (u == null && (create || UserStore.isMapped(id))) {
            u = new User(id, id)
            User raced = ALL.putIfAbsent(key, u)
            if (raced != null) {
                u = raced
            }
        }
        return u
    }

    @Deprecated
    static User get(String idOrFullName) {
        return getById(idOrFullName, true)
    }

    static User getOrCreateByIdOrFullName(String idOrFullName) {
        return getById(idOrFullName, true)
    }

    /** The user the current thread acts as; null when anonymous. */
    static User current() {
        return get2(Jenkins.getAuthentication2())
    }

    static User get2(Authentication a) {
        if (a == null || a instanceof AnonymousAuthenticationToken) {
            return null
        }
        return getById(a.getName(), true)
    }

    /** Users known in memory, sorted by id. */
    static Collection<User> getAll() {
        List<User> r = new ArrayList<User>(ALL.values())
        Collections.sort(r, { User a, User b -> UserStore.keyFor(a.getId()).compareTo(UserStore.keyFor(b.getId())) } as Comparator<User>)
        return r
    }

    @Override
    String toString() {
        return fullName
    }
}
