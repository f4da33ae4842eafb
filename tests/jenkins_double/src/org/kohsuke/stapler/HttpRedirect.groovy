package org.kohsuke.stapler

/** Mirrors Stapler's org.kohsuke.stapler.HttpRedirect (returned by Jenkins.doQuietDown). */
class HttpRedirect implements HttpResponse {
    private final String url

    HttpRedirect(String url) {
        this.url = url
    }

    String getUrl() {
        return url
    }
}
