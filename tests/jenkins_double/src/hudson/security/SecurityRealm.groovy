package hudson.security

import org.springframework.security.core.GrantedAuthority
import org.springframework.security.core.authority.SimpleGrantedAuthority

/**
 * Mirrors core/src/main/java/hudson/security/SecurityRealm.java only for
 * AUTHENTICATED_AUTHORITY2, the authority every authenticated user holds. The double's
 * realm itself is jenkinsdouble.Security.
 */
abstract class SecurityRealm {
    public static final GrantedAuthority AUTHENTICATED_AUTHORITY2 = new SimpleGrantedAuthority("authenticated")
}
