package org.kohsuke.stapler

/** Mirrors Stapler's org.kohsuke.stapler.HttpResponses, only forwardToPreviousPage(). */
class HttpResponses {
    static HttpResponse forwardToPreviousPage() {
        return new HttpRedirect(".")
    }
}
