package jenkins.model

/**
 * Mirrors core/src/main/java/jenkins/model/JenkinsLocationConfiguration.java: the
 * configured root URL, a GlobalConfiguration saved in
 * $JENKINS_HOME/jenkins.model.JenkinsLocationConfiguration.json (Jenkins: .xml);
 * setUrl saves, which fires SaveableListener with this configuration.
 */
class JenkinsLocationConfiguration extends GlobalConfiguration {
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
        if (Jenkins.getInstanceOrNull() != null) {
            save()
        }
    }

    @Override
    protected Map<String, Object> persisted() {
        return [url: jenkinsUrl] as Map<String, Object>
    }

    @Override
    protected void restore(Map<String, Object> data) {
        this.jenkinsUrl = (String) data.url
    }
}
