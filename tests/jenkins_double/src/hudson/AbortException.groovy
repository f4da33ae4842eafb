package hudson

/**
 * Mirrors core/src/main/java/hudson/AbortException.java: a failure whose message is the
 * whole story (printed as "ERROR: message", without a stack trace).
 */
class AbortException extends IOException {
    AbortException() {
    }

    AbortException(String message) {
        super(message)
    }
}
