package jenkins.model

import hudson.model.Action
import hudson.model.Run

/** Mirrors core/src/main/java/jenkins/model/RunAction2.java: told when attached to / loaded with a run. */
interface RunAction2 extends Action {
    void onAttached(Run r)
    void onLoad(Run r)
}
