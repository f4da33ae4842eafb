package jenkins.security

import hudson.model.User
import java.nio.charset.StandardCharsets
import java.security.MessageDigest
import jenkins.security.apitoken.ApiTokenStats

/**
 * Mirrors core/src/main/java/jenkins/security/ApiTokenProperty.java: a user's API tokens,
 * kept hashed (SHA-256, as ApiTokenStore does) with a uuid and a name, and their usage
 * statistics. matchesPassword(token) is what authenticating a request by API token
 * calls (BasicHeaderApiTokenAuthenticator via BasicApiTokenHelper): a matching token's
 * usage is recorded with ApiTokenStats.updateUsageForId, which saves the statistics,
 * on every such request.
 */
class ApiTokenProperty {
    private final User user
    private final List<Map<String, String>> tokens = new java.util.concurrent.CopyOnWriteArrayList<Map<String, String>>()
    private transient ApiTokenStats tokenStats

    /** The double's constructor: a user's property with the tokens read from its config.json. */
    ApiTokenProperty(User user, List saved) {
        this.user = user
        for (Object o : saved ?: []) {
            Map m = (Map) o
            tokens.add([uuid: (String) m.uuid, name: (String) m.name, sha256: (String) m.sha256])
        }
        this.tokenStats = ApiTokenStats.load(user)
    }

    ApiTokenStats getTokenStats() {
        return tokenStats
    }

    boolean matchesPassword(String token) {
        if (token == null || token.trim().isEmpty()) {
            return false
        }
        String hash = sha256(token)
        Map<String, String> matching = null
        for (Map<String, String> t : tokens) {
            if (MessageDigest.isEqual(t.sha256.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII))) {
                matching = t
            }
        }
        if (matching == null) {
            return false
        }
        tokenStats.updateUsageForId(matching.uuid)
        return true
    }

    /** Adds a token with a known value and saves the user; returns the token's uuid. */
    String addFixedNewToken(String name, String tokenPlainValue) throws IOException {
        String uuid = UUID.randomUUID().toString()
        tokens.add([uuid: uuid, name: name, sha256: sha256(tokenPlainValue)])
        user.save()
        return uuid
    }

    void revokeAllTokens() throws IOException {
        tokens.clear()
        tokenStats.removeAll()
        user.save()
    }

    /** Not in Jenkins: whether token is this user's one and only token (the double's boot checks its command line). */
    boolean hasOnlyToken(String token) {
        return tokens.size() == 1 && tokens.get(0).sha256 == sha256(token)
    }

    /** Not in Jenkins: what User.save writes for this property. */
    List<Map<String, String>> persisted() {
        return new ArrayList<Map<String, String>>(tokens)
    }

    private static String sha256(String s) {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)).encodeHex().toString()
    }
}
