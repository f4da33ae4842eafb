package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/Failure.java: an error caused by the user's
 * input, answered with status 400 and the message (Jenkins renders it on its error page).
 */
class Failure extends RuntimeException {
    final boolean pre

    Failure(String message) {
        this(message, false)
    }

    Failure(String message, boolean pre) {
        super(message)
        this.pre = pre
    }
}
