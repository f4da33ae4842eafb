package hudson.model

/**
 * Mirrors core/src/main/java/hudson/model/Cause.java: why a build was started.
 * Only the causes this project uses: LegacyCodeCause, UserIdCause, RemoteCause.
 */
abstract class Cause {
    abstract String getShortDescription()

    void onAddedTo(Run build) {}

    void onLoad(Run build) {}

    void print(TaskListener listener) {
        listener.getLogger().println(getShortDescription())
    }

    /** What scheduleBuild2(int) without a cause records. */
    static class LegacyCodeCause extends Cause {
        String getShortDescription() {
            return "Legacy code started this job.  No cause information is available"
        }
    }

    /**
     * A user started it; the no-argument constructor takes User.current(): the request's
     * user, "SYSTEM" on a thread running as SYSTEM (an executor, a timer), none when anonymous.
     */
    static class UserIdCause extends Cause {
        private String userId

        UserIdCause() {
            User user = User.current()
            this.userId = user == null ? null : user.getId()
        }

        UserIdCause(String userId) {
            this.userId = userId
        }

        String getUserId() { return userId }

        /** The double's users have no display name other than their id. */
        String getUserName() { return userId == null ? "anonymous" : userId }

        String getShortDescription() {
            return "Started by user " + getUserName()
        }

        @Override
        boolean equals(Object o) {
            return o instanceof UserIdCause && Objects.equals(userId, ((UserIdCause) o).userId)
        }

        @Override
        int hashCode() { return Objects.hash(userId) }
    }

    /** Started remotely; equality by address and note, as in Jenkins. */
    static class RemoteCause extends Cause {
        private String addr
        private String note

        RemoteCause(String host, String note) {
            this.addr = host
            this.note = note
        }

        String getShortDescription() {
            if (note != null) {
                return "Started by remote host " + addr + " with note: " + note
            }
            return "Started by remote host " + addr
        }

        String getAddr() { return addr }

        String getNote() { return note }

        @Override
        boolean equals(Object o) {
            return o instanceof RemoteCause && Objects.equals(addr, ((RemoteCause) o).addr) && Objects.equals(note, ((RemoteCause) o).note)
        }

        @Override
        int hashCode() { return Objects.hash(addr, note) }
    }
}
