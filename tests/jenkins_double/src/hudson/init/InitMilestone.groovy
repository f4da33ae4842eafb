package hudson.init

/**
 * Mirrors core/src/main/java/hudson/init/InitMilestone.java: the milestones of Jenkins'
 * boot, in order (Jenkins.getInitLevel()). The double passes the same ones; see
 * jenkinsdouble.Main.boot for what happens between them.
 */
enum InitMilestone {
    STARTED("Started initialization"),
    PLUGINS_LISTED("Listed all plugins"),
    PLUGINS_PREPARED("Prepared all plugins"),
    PLUGINS_STARTED("Started all plugins"),
    EXTENSIONS_AUGMENTED("Augmented all extensions"),
    SYSTEM_CONFIG_LOADED("System config loaded"),
    SYSTEM_CONFIG_ADAPTED("System config adapted"),
    JOB_LOADED("Loaded all jobs"),
    JOB_CONFIG_ADAPTED("Configuration for all jobs updated"),
    COMPLETED("Completed initialization")

    private final String message

    InitMilestone(String message) {
        this.message = message
    }

    @Override
    String toString() {
        return message
    }
}
