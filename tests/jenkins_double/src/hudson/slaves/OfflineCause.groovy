package hudson.slaves

import jenkinsdouble.RequestContext
import org.jvnet.localizer.Localizable

/** Mirrors core/src/main/java/hudson/slaves/OfflineCause.java: why a computer is offline. */
abstract class OfflineCause {
    protected final long timestamp = System.currentTimeMillis()

    long getTimestamp() {
        return timestamp
    }

    static OfflineCause create(Localizable d) {
        return d == null ? null : new SimpleOfflineCause(d)
    }

    /** What setTemporarilyOffline(true) without a cause records. */
    static class LegacyOfflineCause extends OfflineCause {
        @Override
        String toString() { return "" }
    }

    static class SimpleOfflineCause extends OfflineCause {
        final Localizable description

        protected SimpleOfflineCause(Localizable description) {
            this.description = description
        }

        @Override
        String toString() { return description.toString() }
    }

    /** The agent's connection was lost (Computer.disconnect in the double simulates this). */
    static class ChannelTermination extends OfflineCause {
        final Exception cause

        ChannelTermination(Exception cause) {
            this.cause = cause
        }

        String getShortDescription() { return cause.toString() }

        @Override
        String toString() { return "Connection was broken" }
    }

    /** Taken offline by a user, with an optional message. */
    static class UserCause extends SimpleOfflineCause {
        private final String userId
        private final String message

        UserCause(String userId, String message) {
            super(new jenkins.util.NonLocalizable("Disconnected by " + (userId != null ? userId : "anonymous") + (message != null ? " : " + message : "")))
            this.userId = userId
            this.message = message
        }

        String getUserId() { return userId }

        String getMessage() { return message }
    }

    /** Taken offline through the CLI (or a script naming no user): the current user is recorded. */
    static class ByCLI extends UserCause {
        final String message

        ByCLI(String message) {
            super(RequestContext.currentUserId(), message)
            this.message = message
        }
    }
}
