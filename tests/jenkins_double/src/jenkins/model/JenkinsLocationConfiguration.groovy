package jenkins.model

import jenkinsdouble.JenkinsStore

/** Mirrors core/src/main/java/jenkins/model/JenkinsLocationConfiguration.java: the configured root URL. */
class JenkinsLocationConfiguration {
    private static final JenkinsLocationConfiguration INSTANCE = new JenkinsLocationConfiguration()
    private volatile String jenkinsUrl

    static JenkinsLocationConfiguration get() {
        return INSTANCE
    }

    String getUrl() {
        return jenkinsUrl
    }

    /** Sets (null clears) the root URL, adding the trailing slash, and saves it. */
    void setUrl(String jenkinsUrl) {
        String url = hudson.Util.fixEmptyAndTrim(jenkinsUrl)
        if (url != null && !url.endsWith("/")) {
            url += "/"
        }
        this.jenkinsUrl = url
        Jenkins j = Jenkins.getInstanceOrNull()
        if (j != null) {
            JenkinsStore.saveLocation(j, url)
        }
    }

    /** Loads the saved URL at boot without saving it again. */
    void load(String url) {
        this.jenkinsUrl = url
    }
}
