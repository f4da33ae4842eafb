package jenkins.security.apitoken

import jenkins.model.GlobalConfiguration

/**
 * Mirrors core/src/main/java/jenkins/security/apitoken/ApiTokenPropertyConfiguration.java:
 * whether API token usage statistics are kept (true by default: every token-authenticated
 * request saves the user's ApiTokenStats). The setters save (Descriptor.save, which fires
 * SaveableListener with this configuration).
 */
class ApiTokenPropertyConfiguration extends GlobalConfiguration {
    private static final ApiTokenPropertyConfiguration INSTANCE = new ApiTokenPropertyConfiguration()

    private volatile boolean tokenGenerationOnCreationEnabled = false
    private volatile boolean creationOfLegacyTokenEnabled = false
    private volatile boolean usageStatisticsEnabled = true

    static ApiTokenPropertyConfiguration get() {
        return INSTANCE
    }

    boolean hasExistingConfigFile() {
        return getConfigFile().exists()
    }

    boolean isTokenGenerationOnCreationEnabled() {
        return tokenGenerationOnCreationEnabled
    }

    void setTokenGenerationOnCreationEnabled(boolean enabled) {
        this.tokenGenerationOnCreationEnabled = enabled
        save()
    }

    boolean isCreationOfLegacyTokenEnabled() {
        return creationOfLegacyTokenEnabled
    }

    void setCreationOfLegacyTokenEnabled(boolean enabled) {
        this.creationOfLegacyTokenEnabled = enabled
        save()
    }

    boolean isUsageStatisticsEnabled() {
        return usageStatisticsEnabled
    }

    void setUsageStatisticsEnabled(boolean enabled) {
        this.usageStatisticsEnabled = enabled
        save()
    }

    @Override
    protected Map<String, Object> persisted() {
        return [tokenGenerationOnCreationEnabled: tokenGenerationOnCreationEnabled,
                creationOfLegacyTokenEnabled: creationOfLegacyTokenEnabled,
                usageStatisticsEnabled: usageStatisticsEnabled] as Map<String, Object>
    }

    @Override
    protected void restore(Map<String, Object> data) {
        tokenGenerationOnCreationEnabled = Boolean.TRUE == data.tokenGenerationOnCreationEnabled
        creationOfLegacyTokenEnabled = Boolean.TRUE == data.creationOfLegacyTokenEnabled
        usageStatisticsEnabled = data.usageStatisticsEnabled == null || Boolean.TRUE == data.usageStatisticsEnabled
    }
}
