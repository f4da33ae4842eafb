package jenkins.util

import org.jvnet.localizer.Localizable

/** Mirrors jenkins/util/NonLocalizable.java: a fixed text wrapped as a Localizable. */
class NonLocalizable extends Localizable {
    private final String nonLocalizable

    NonLocalizable(String nonLocalizable) {
        super(null, null)
        this.nonLocalizable = nonLocalizable
    }

    @Override
    String toString(Locale locale) {
        return nonLocalizable
    }

    @Override
    String toString() {
        return nonLocalizable
    }
}
