package jenkins.security.apitoken

import hudson.XmlFile
import hudson.model.Saveable
import hudson.model.User
import hudson.model.listeners.SaveableListener
import java.util.logging.Level
import java.util.logging.Logger
import jenkinsdouble.JsonFile

/**
 * Mirrors core/src/main/java/jenkins/security/apitoken/ApiTokenStats.java: per user, how
 * often and when each API token was last used. updateUsageForId records a use and
 * saves at once: users/DIR/apiTokenStats.json (Jenkins: apiTokenStats.xml) is written
 * and SaveableListener.onChange(this, that file) fires, i.e. on every request
 * authenticated with an API token, unless ApiTokenPropertyConfiguration's usage
 * statistics are disabled (they are enabled by default). Nothing is saved for a user
 * that has no directory yet.
 */
class ApiTokenStats implements Saveable {
    private static final Logger LOGGER = Logger.getLogger(ApiTokenStats.class.getName())

    private final List<SingleTokenStats> tokenStats = new ArrayList<SingleTokenStats>()
    private transient User user

    private static boolean areStatsDisabled() {
        return !ApiTokenPropertyConfiguration.get().isUsageStatisticsEnabled()
    }

    synchronized void removeId(String tokenUuid) {
        if (areStatsDisabled()) {
            return
        }
        if (tokenStats.removeAll { it.tokenUuid == tokenUuid }) {
            save()
        }
    }

    synchronized void removeAll() {
        int size = tokenStats.size()
        tokenStats.clear()
        if (size > 0) {
            save()
        }
    }

    /** Records a use of the token and saves (fires SaveableListener). */
    SingleTokenStats updateUsageForId(String tokenUuid) {
        if (areStatsDisabled()) {
            return new SingleTokenStats(tokenUuid)
        }
        return updateUsageForIdIfNeeded(tokenUuid)
    }

    private synchronized SingleTokenStats updateUsageForIdIfNeeded(String tokenUuid) {
        SingleTokenStats stats = findById(tokenUuid)
        if (stats == null) {
            stats = new SingleTokenStats(tokenUuid)
            tokenStats.add(stats)
        }
        stats.notifyUse()
        save()
        return stats
    }

    synchronized SingleTokenStats findTokenStatsById(String tokenUuid) {
        if (areStatsDisabled()) {
            return new SingleTokenStats(tokenUuid)
        }
        SingleTokenStats s = findById(tokenUuid)
        return s != null ? s : new SingleTokenStats(tokenUuid)
    }

    private SingleTokenStats findById(String tokenUuid) {
        for (SingleTokenStats s : tokenStats) {
            if (s.tokenUuid == tokenUuid) {
                return s
            }
        }
        return null
    }

    @Override
    synchronized void save() {
        if (areStatsDisabled()) {
            return
        }
        File userFolder = user == null ? null : user.getUserFolder()
        if (userFolder == null) {
            LOGGER.log(Level.INFO, "No user folder yet for user {0}", user == null ? null : user.getId())
            return
        }
        XmlFile configFile = getConfigFile(userFolder)
        try {
            new JsonFile(configFile.getFile()).write([tokenStats: tokenStats.collect {
                [tokenUuid: it.tokenUuid, useCounter: it.getUseCounter(), lastUseDate: it.lastUseDate?.getTime()]
            }])
            SaveableListener.fireOnChange(this, configFile)
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "Failed to save " + configFile, e)
        }
    }

    /** The user's statistics, read from its directory if saved before. */
    static ApiTokenStats load(User user) {
        ApiTokenStats stats = new ApiTokenStats()
        stats.user = user
        File userFolder = user.getUserFolder()
        if (userFolder != null) {
            JsonFile f = new JsonFile(getConfigFile(userFolder).getFile())
            if (f.exists()) {
                try {
                    for (Object o : (List) ((Map) f.read()).tokenStats) {
                        Map m = (Map) o
                        SingleTokenStats s = new SingleTokenStats((String) m.tokenUuid)
                        s.useCounter = m.useCounter == null ? null : Math.max(0, ((Number) m.useCounter).intValue())
                        s.lastUseDate = m.lastUseDate == null ? null : new Date(((Number) m.lastUseDate).longValue())
                        stats.tokenStats.add(s)
                    }
                } catch (Exception e) {
                    LOGGER.log(Level.WARNING, "Failed to load " + f.file, e)
                }
            }
        }
        return stats
    }

    protected static XmlFile getConfigFile(File parent) {
        return new XmlFile(new File(parent, "apiTokenStats.json"))
    }

    static class SingleTokenStats {
        private final String tokenUuid
        private Date lastUseDate
        private Integer useCounter

        private SingleTokenStats(String tokenUuid) {
            this.tokenUuid = tokenUuid
        }

        private void notifyUse() {
            this.useCounter = useCounter == null ? 1 : useCounter + 1
            this.lastUseDate = new Date()
        }

        String getTokenUuid() {
            return tokenUuid
        }

        int getUseCounter() {
            return useCounter == null ? 0 : useCounter
        }

        Date getLastUseDate() {
            return lastUseDate
        }

        long getNumDaysUse() {
            return lastUseDate == null ? 0 : (long) ((System.currentTimeMillis() - lastUseDate.getTime()) / 86400000L)
        }
    }
}
