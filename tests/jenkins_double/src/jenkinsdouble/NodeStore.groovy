package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.Node
import hudson.model.Slave
import hudson.slaves.ComputerLauncher
import hudson.slaves.DumbSlave
import hudson.slaves.RetentionStrategy
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins

/**
 * Not a Jenkins class: agents in $JENKINS_HOME/nodes/NAME/config.json (Jenkins:
 * nodes/NAME/config.xml). The temporary offline cause is kept, as Jenkins 2.479+ keeps
 * it on the node.
 */
class NodeStore {
    private static final Logger LOGGER = Logger.getLogger(NodeStore.class.getName())

    static void save(Jenkins j, Slave n) {
        new JsonFile(new File(new File(new File(j.getRootDir(), "nodes"), n.getNodeName()), "config.json")).write([
            class            : n.getClass().getName(),
            name             : n.getNodeName(),
            description      : n.getNodeDescription(),
            remoteFS         : n.getRemoteFS(),
            numExecutors     : n.getNumExecutors(),
            mode             : n.getMode().name(),
            label            : n.getLabelString(),
            launcher         : ObjectCodec.encode(n.getLauncher()),
            retentionStrategy: ObjectCodec.encode(n.getRetentionStrategy()),
            nodeProperties   : ObjectCodec.encode(new ArrayList<Object>(n.getNodeProperties())),
            temporaryOffline : ObjectCodec.encode(n.getTemporaryOfflineCause()),
        ])
    }

    static void delete(Jenkins j, String name) {
        new File(new File(j.getRootDir(), "nodes"), name).deleteDir()
    }

    /** Loads every saved agent; one that cannot be read is logged and skipped. */
    static List<Node> loadAll(Jenkins j) {
        List<Node> loaded = new ArrayList<Node>()
        File[] dirs = new File(j.getRootDir(), "nodes").listFiles()
        if (dirs == null) {
            return loaded
        }
        Arrays.sort(dirs)
        for (File dir : dirs) {
            JsonFile f = new JsonFile(new File(dir, "config.json"))
            if (!f.exists()) {
                continue
            }
            try {
                loaded.add(load((Map) f.read()))
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "could not load " + dir, e)
            }
        }
        return loaded
    }

    private static Node load(Map data) {
        if (!DumbSlave.class.getName().equals(data.get("class"))) {
            throw new ClassNotFoundException("the double only loads " + DumbSlave.class.getName() + " agents, not " + data.get("class"))
        }
        ObjectCodec codec = new ObjectCodec()
        ComputerLauncher launcher = (ComputerLauncher) codec.decode(data.launcher)
        DumbSlave n = new DumbSlave((String) data.name, (String) data.description, (String) data.remoteFS,
                String.valueOf(data.numExecutors), Node.Mode.valueOf((String) data.mode), (String) data.label,
                launcher, (RetentionStrategy) codec.decode(data.retentionStrategy), (List) (codec.decode(data.nodeProperties) ?: []))
        hudson.slaves.OfflineCause offline = (hudson.slaves.OfflineCause) codec.decode(data.temporaryOffline)
        if (offline != null) {
            // As XStream restores the field: no save, no listeners.
            Fields.set(n, "temporaryOfflineCause", offline)
        }
        if (!codec.problems.isEmpty()) {
            OldDataMonitor.report(n, codec.problems)
        }
        return n
    }
}
