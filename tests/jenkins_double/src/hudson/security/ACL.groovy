package hudson.security

import hudson.model.User
import jenkins.model.Jenkins
import jenkins.security.NonSerializableSecurityContext
import org.springframework.security.authentication.AnonymousAuthenticationToken
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken
import org.springframework.security.core.Authentication
import org.springframework.security.core.context.SecurityContext
import org.springframework.security.core.context.SecurityContextHolder

/**
 * Mirrors core/src/main/java/hudson/security/ACL.java: whether an Authentication has a
 * Permission, and how a thread changes who it acts as. as2(auth) swaps the thread's
 * security context and returns an ACLContext whose close() restores it; SYSTEM2 may do
 * anything (checked first by hasPermission/checkPermission and AccessControlled).
 */
abstract class ACL {
    public static final String ANONYMOUS_USERNAME = "anonymous"
    public static final String SYSTEM_USERNAME = "SYSTEM"
    /** As in Jenkins, a two-argument (so not "authenticated") token named SYSTEM. */
    public static final Authentication SYSTEM2 = new UsernamePasswordAuthenticationToken(SYSTEM_USERNAME, "SYSTEM")

    abstract boolean hasPermission2(Authentication a, Permission permission)

    final boolean hasPermission(Permission p) {
        Authentication a = Jenkins.getAuthentication2()
        if (a.equals(SYSTEM2)) {
            return true
        }
        return hasPermission2(a, p)
    }

    final void checkPermission(Permission p) {
        Authentication a = Jenkins.getAuthentication2()
        if (a.equals(SYSTEM2)) {
            return
        }
        if (!hasPermission2(a, p)) {
            while (!p.enabled && p.impliedBy != null) {
                p = p.impliedBy
            }
            throw new AccessDeniedException3(a, p)
        }
    }

    final boolean hasAnyPermission(Permission... permissions) {
        if (permissions.length == 0) {
            throw new IllegalArgumentException("At least one permission must be provided")
        }
        for (Permission p : permissions) {
            if (hasPermission(p)) {
                return true
            }
        }
        return false
    }

    /** An ACL from a (Authentication, Permission) -> Boolean function. */
    static ACL lambda2(final java.util.function.BiFunction<Authentication, Permission, Boolean> impl) {
        return new ACL() {
            @Override
            boolean hasPermission2(Authentication a, Permission permission) {
                return impl.apply(a, permission)
            }
        }
    }

    /** Runs the rest of the thread's work as auth until the returned context is closed. */
    static ACLContext as2(Authentication auth) {
        ACLContext context = new ACLContext(SecurityContextHolder.getContext())
        SecurityContextHolder.setContext(new NonSerializableSecurityContext(auth))
        return context
    }

    /** As the user (impersonate2()), or ANONYMOUS for null. */
    static ACLContext "as"(User user) {
        return as2(user == null ? Jenkins.ANONYMOUS2 : user.impersonate2())
    }

    @Deprecated
    static SecurityContext impersonate2(Authentication auth) {
        SecurityContext old = SecurityContextHolder.getContext()
        SecurityContextHolder.setContext(new NonSerializableSecurityContext(auth))
        return old
    }

    @Deprecated
    static void impersonate2(Authentication auth, Runnable body) {
        SecurityContext old = impersonate2(auth)
        try {
            body.run()
        } finally {
            SecurityContextHolder.setContext(old)
        }
    }

    @Deprecated
    static <V> V impersonate2(Authentication auth, java.util.concurrent.Callable<V> body) {
        SecurityContext old = impersonate2(auth)
        try {
            return body.call()
        } finally {
            SecurityContextHolder.setContext(old)
        }
    }

    static boolean isAnonymous2(Authentication authentication) {
        return authentication instanceof AnonymousAuthenticationToken
    }
}
