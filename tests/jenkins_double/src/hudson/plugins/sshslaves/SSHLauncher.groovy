package hudson.plugins.sshslaves

import hudson.slaves.ComputerLauncher

/**
 * Mirrors hudson/plugins/sshslaves/SSHLauncher.java of the ssh-slaves plugin (what
 * Nodepool v0 gives the agents it creates): the connection settings only. The double
 * opens no SSH connection; the agent is online at once, like every agent of the double.
 */
class SSHLauncher extends ComputerLauncher {
    /** The plugin that carries this class, as XStream names it in config.xml. */
    static final String PLUGIN = "ssh-slaves"

    private final String host
    private int port = 22
    private String credentialsId
    private String jvmOptions
    private String javaPath
    private String prefixStartSlaveCmd
    private String suffixStartSlaveCmd
    private Integer launchTimeoutSeconds
    private Integer maxNumRetries
    private Integer retryWaitTime

    /** The plugin's @DataBoundConstructor; the rest through setters. */
    SSHLauncher(String host, int port, String credentialsId) {
        this.host = host
        this.port = port
        this.credentialsId = credentialsId
    }

    String getHost() { return host }

    int getPort() { return port }

    void setPort(int port) { this.port = port }

    String getCredentialsId() { return credentialsId }

    void setCredentialsId(String credentialsId) { this.credentialsId = credentialsId }

    String getJvmOptions() { return jvmOptions }

    void setJvmOptions(String value) { this.jvmOptions = hudson.Util.fixEmpty(value) }

    String getJavaPath() { return javaPath }

    void setJavaPath(String value) { this.javaPath = hudson.Util.fixEmpty(value) }

    String getPrefixStartSlaveCmd() { return prefixStartSlaveCmd }

    void setPrefixStartSlaveCmd(String value) { this.prefixStartSlaveCmd = hudson.Util.fixEmpty(value) }

    String getSuffixStartSlaveCmd() { return suffixStartSlaveCmd }

    void setSuffixStartSlaveCmd(String value) { this.suffixStartSlaveCmd = hudson.Util.fixEmpty(value) }

    Integer getLaunchTimeoutSeconds() { return launchTimeoutSeconds }

    void setLaunchTimeoutSeconds(Integer value) { this.launchTimeoutSeconds = value }

    Integer getMaxNumRetries() { return maxNumRetries }

    void setMaxNumRetries(Integer value) { this.maxNumRetries = value }

    Integer getRetryWaitTime() { return retryWaitTime }

    void setRetryWaitTime(Integer value) { this.retryWaitTime = value }
}
