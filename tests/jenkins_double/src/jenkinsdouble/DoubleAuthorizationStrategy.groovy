package jenkinsdouble

import hudson.model.Item
import hudson.security.ACL
import hudson.security.AuthorizationStrategy
import hudson.security.Permission
import jenkins.model.Jenkins
import org.springframework.security.core.Authentication

/**
 * Not a Jenkins class: the double's authorization, as a matrix strategy configured with
 * its command line would grant. An admin user (--user NAME:TOKEN, --password NAME:PW)
 * has Overall/Administer, so every permission; a read-only user (":readonly") has
 * Overall/Read and Job/Read (and what they imply, e.g. Job/Discover); anonymous has
 * those two only with --anonymous-read, else nothing; any other name (a user
 * impersonated by a script, even SYSTEM when asked through the ACL directly) has
 * nothing. SYSTEM may still do anything through ACL.hasPermission and
 * AccessControlled, which check it first, as in Jenkins.
 */
class DoubleAuthorizationStrategy extends AuthorizationStrategy {
    private final Security security
    private final ACL root

    DoubleAuthorizationStrategy(Security security) {
        this.security = security
        this.root = new ACL() {
            @Override
            boolean hasPermission2(Authentication a, Permission permission) {
                return granted(a, permission)
            }
        }
    }

    @Override
    ACL getRootACL() {
        return root
    }

    private boolean granted(Authentication a, Permission p) {
        Set<Permission> held
        if (ACL.isAnonymous2(a)) {
            held = security.anonymousRead ? readPermissions() : Collections.<Permission>emptySet()
        } else {
            Security.User u = security.user(a.getName())
            if (u == null) {
                held = Collections.<Permission>emptySet()
            } else if (u.admin) {
                held = Collections.singleton(Jenkins.ADMINISTER)
            } else {
                held = readPermissions()
            }
        }
        // A permission is held when it, or one that implies it, was granted (Permission.impliedBy).
        for (Permission q = p; q != null; q = q.impliedBy) {
            if (held.contains(q)) {
                return true
            }
        }
        return false
    }

    private static Set<Permission> readPermissions() {
        return new HashSet<Permission>([Jenkins.READ, Item.READ])
    }
}
