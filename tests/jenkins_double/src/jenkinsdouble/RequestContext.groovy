package jenkinsdouble

import hudson.model.User
import hudson.security.ACL
import hudson.security.ACLContext
import jenkins.model.Jenkins

/**
 * Not a Jenkins class: what Stapler's current request and Jenkins' security filters give
 * a thread in Jenkins: the URL the request came in on, and the thread acting as the
 * authenticated user (ACL.as2 of BasicHeaderProcessor.success; anonymous when the
 * request carried no credentials) until the request ends. Set only on HTTP handler
 * threads, so getRootUrl() is null elsewhere (listeners, executors, threads a script
 * starts) unless a root URL is configured, as in Jenkins; who those threads act as is
 * Jenkins.getAuthentication2() (SYSTEM on executors and timers, ANONYMOUS on a thread a
 * script starts).
 */
class RequestContext {
    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<RequestContext>()

    final String userId
    final String rootUrl
    private ACLContext acl

    RequestContext(String userId, String rootUrl) {
        this.userId = userId
        this.rootUrl = rootUrl
    }

    static void enter(RequestContext ctx) {
        CURRENT.set(ctx)
        ctx.acl = ACL.as2(ctx.userId == null ? Jenkins.ANONYMOUS2 : User.getById(ctx.userId, true).impersonate2())
    }

    static void leave() {
        RequestContext ctx = CURRENT.get()
        CURRENT.remove()
        if (ctx != null && ctx.acl != null) {
            ctx.acl.close()
        }
    }

    /** The id of the user the thread acts as (User.current()); null when anonymous. */
    static String currentUserId() {
        User u = User.current()
        return u == null ? null : u.getId()
    }

    static String currentRootUrl() {
        RequestContext c = CURRENT.get()
        return c == null ? null : c.rootUrl
    }
}
