package jenkinsdouble

import java.nio.charset.StandardCharsets
import java.security.MessageDigest
import java.security.SecureRandom
import java.util.concurrent.ConcurrentHashMap

/**
 * Not a Jenkins class: the double's security realm and crumb issuer, mirroring
 * core/src/main/java/jenkins/security/BasicHeaderProcessor.java (basic auth with an API
 * token or a password), hudson/security/csrf/DefaultCrumbIssuer.java (crumb = SHA-256 of
 * "user;session id" salted with a secret kept in $JENKINS_HOME/secrets) and
 * jenkins/security/ApiCrumbExclusion (requests authenticated by API token need no crumb).
 * Sessions live in memory, so a restarted double rejects old crumbs, as Jenkins does.
 */
class Security {
    static final String CRUMB_FIELD = "Jenkins-Crumb"
    static final String SESSION_COOKIE = "JSESSIONID.double"

    /** How a request authenticated. */
    static enum Via { ANONYMOUS, TOKEN, PASSWORD, BAD_CREDENTIALS }

    static class User {
        final String id
        final boolean admin

        User(String id, boolean admin) {
            this.id = id
            this.admin = admin
        }
    }

    private final Map<String, User> users = new LinkedHashMap<String, User>()
    private final Map<String, String> tokens = new HashMap<String, String>()
    private final Map<String, String> passwords = new HashMap<String, String>()
    private final Set<String> sessions = ConcurrentHashMap.newKeySet()
    private final String crumbSalt
    final boolean crumbsForTokens
    final boolean anonymousRead

    Security(File home, boolean crumbsForTokens, boolean anonymousRead) {
        this.crumbsForTokens = crumbsForTokens
        this.anonymousRead = anonymousRead
        this.crumbSalt = secret(home, "crumbSalt")
    }

    /** A random secret stored under $JENKINS_HOME/secrets, made on first use. */
    static String secret(File home, String name) {
        File f = new File(new File(home, "secrets"), name)
        if (!f.exists()) {
            f.getParentFile().mkdirs()
            byte[] b = new byte[16]
            new SecureRandom().nextBytes(b)
            f.setText(b.encodeHex().toString(), StandardCharsets.US_ASCII.name())
        }
        return f.getText(StandardCharsets.US_ASCII.name()).trim()
    }

    void addUser(String id, String token, boolean admin) {
        users.put(id, new User(id, admin))
        tokens.put(id, token)
    }

    void addPassword(String id, String password, boolean admin) {
        if (!users.containsKey(id)) {
            users.put(id, new User(id, admin))
        }
        passwords.put(id, password)
    }

    User user(String id) {
        return users.get(id)
    }

    /**
     * At boot, before anything else sees them (they exist before Jenkins starts, as users
     * an administrator created): every user is a hudson.model.User saved on disk, and a
     * user given an API token has exactly that token (ApiTokenProperty).
     */
    void provisionUsers() {
        for (User u : users.values()) {
            hudson.model.User user = hudson.model.User.getById(u.id, true)
            String token = tokens.get(u.id)
            jenkins.security.ApiTokenProperty p = user.getProperty(jenkins.security.ApiTokenProperty.class)
            if (token != null && !p.hasOnlyToken(token)) {
                p.revokeAllTokens()
                p.addFixedNewToken("gearman-jenkins double", token)
            } else if (user.getUserFolder() == null) {
                user.save()
            }
        }
    }

    /**
     * Resolves an Authorization header to a user and how it authenticated: first as an
     * API token (BasicHeaderApiTokenAuthenticator through BasicApiTokenHelper:
     * ApiTokenProperty.matchesPassword, which records the token's use, so saves its
     * ApiTokenStats and fires SaveableListener, before the request runs as the user),
     * then as a password.
     */
    Object[] authenticate(String authorization) {
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith("basic ")) {
            return [null, Via.ANONYMOUS] as Object[]
        }
        String decoded
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8)
        } catch (IllegalArgumentException e) {
            decoded = ""
        }
        int idx = decoded.indexOf(':')
        if (idx < 0) {
            return [null, Via.BAD_CREDENTIALS] as Object[]
        }
        String id = decoded.substring(0, idx)
        String secret = decoded.substring(idx + 1)
        User u = users.get(id)
        hudson.model.User known = u == null ? null : hudson.model.User.getById(id, false)
        jenkins.security.ApiTokenProperty p = known == null ? null : known.getProperty(jenkins.security.ApiTokenProperty.class)
        if (p != null && p.matchesPassword(secret)) {
            return [u, Via.TOKEN] as Object[]
        }
        if (u != null && secret.equals(passwords.get(id))) {
            return [u, Via.PASSWORD] as Object[]
        }
        return [id, Via.BAD_CREDENTIALS] as Object[]
    }

    String newSession() {
        byte[] b = new byte[12]
        new SecureRandom().nextBytes(b)
        String id = b.encodeHex().toString()
        sessions.add(id)
        return id
    }

    boolean isSession(String id) {
        return id != null && sessions.contains(id)
    }

    String crumb(String userName, String sessionId) {
        MessageDigest md = MessageDigest.getInstance("SHA-256")
        md.update((userName + ";" + sessionId).getBytes(StandardCharsets.UTF_8))
        return md.digest(crumbSalt.getBytes(StandardCharsets.US_ASCII)).encodeHex().toString()
    }

    boolean validCrumb(String userName, String sessionId, String given) {
        return given != null && isSession(sessionId) && MessageDigest.isEqual(crumb(userName, sessionId).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII))
    }
}
