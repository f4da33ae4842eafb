package org.kohsuke.stapler

/**
 * Mirrors Stapler's org.kohsuke.stapler.HttpResponses: forwardToPreviousPage(), and the
 * HttpResponseException factories Jenkins' web methods throw (notFound, status,
 * errorWithoutStack); the double's web layer answers them with their status and message.
 */
class HttpResponses {
    static HttpResponse forwardToPreviousPage() {
        return new HttpRedirect(".")
    }

    static HttpResponseException notFound() {
        return new HttpResponseException(404, "Not found")
    }

    static HttpResponseException status(int code) {
        return new HttpResponseException(code, "")
    }

    static HttpResponseException errorWithoutStack(int code, String message) {
        return new HttpResponseException(code, message)
    }

    /** A response thrown as an exception (Stapler's is abstract; the double's carries a status and a text body). */
    static class HttpResponseException extends RuntimeException implements HttpResponse {
        final int status

        HttpResponseException(int status, String message) {
            super(message)
            this.status = status
        }
    }
}
