package hudson.security

import hudson.model.AbstractItem

/**
 * Mirrors core/src/main/java/hudson/security/AuthorizationStrategy.java: the root ACL
 * and the ACL of an item (by default the root one). The double's strategy is
 * jenkinsdouble.DoubleAuthorizationStrategy.
 */
abstract class AuthorizationStrategy {
    abstract ACL getRootACL()

    ACL getACL(AbstractItem item) {
        return getRootACL()
    }

    /** Jenkins' AuthorizationStrategy.UNSECURED: everybody may do everything. */
    public static final AuthorizationStrategy UNSECURED = new Unsecured()

    private static final class Unsecured extends AuthorizationStrategy {
        private static final ACL ALL = ACL.lambda2({ a, p -> true } as java.util.function.BiFunction)

        @Override
        ACL getRootACL() {
            return ALL
        }
    }
}
