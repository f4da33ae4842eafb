package jenkinsdouble

/**
 * Not a Jenkins class: what Stapler's current request and Jenkins' security context give
 * a thread in Jenkins: the authenticated user and the URL the request came in on. Set
 * only on HTTP handler threads, so getRootUrl() is null elsewhere (listeners, executors,
 * threads a script starts) unless a root URL is configured, as in Jenkins.
 */
class RequestContext {
    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<RequestContext>()

    final String userId
    final String rootUrl

    RequestContext(String userId, String rootUrl) {
        this.userId = userId
        this.rootUrl = rootUrl
    }

    static void enter(RequestContext ctx) {
        CURRENT.set(ctx)
    }

    static void leave() {
        CURRENT.remove()
    }

    /** The request's user; null (SYSTEM) outside a request. */
    static String currentUserId() {
        RequestContext c = CURRENT.get()
        return c == null ? null : c.userId
    }

    static String currentRootUrl() {
        RequestContext c = CURRENT.get()
        return c == null ? null : c.rootUrl
    }
}
