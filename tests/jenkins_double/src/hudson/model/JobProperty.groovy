package hudson.model

/** Mirrors core/src/main/java/hudson/model/JobProperty.java: a property attached to a job. */
abstract class JobProperty<J extends Job> implements Serializable {
    protected transient J owner

    protected void setOwner(J owner) {
        this.owner = owner
    }

    J getOwner() { return owner }
}
