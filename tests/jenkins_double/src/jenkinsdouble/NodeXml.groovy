package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.Node
import hudson.model.Slave
import hudson.plugins.sshslaves.SSHLauncher
import hudson.slaves.CommandLauncher
import hudson.slaves.ComputerLauncher
import hudson.slaves.DumbSlave
import hudson.slaves.JNLPLauncher
import hudson.slaves.NodeProperty
import hudson.slaves.OfflineCause
import hudson.slaves.RetentionStrategy
import java.util.logging.Level
import java.util.logging.Logger
import org.w3c.dom.Element

/**
 * Not a Jenkins class: an agent's config.xml ({@code <slave>}, XStream's alias of
 * DumbSlave), as Computer.doConfigDotXml serves it and Computer.updateByXml /
 * ComputerSet.doCreateItem read it. Node's temporaryOfflineCause comes first, then
 * Slave's fields in declaration order: name, description, remoteFS, numExecutors, mode,
 * retentionStrategy, launcher, label, nodeProperties.
 *
 * Launchers: JNLPLauncher (core), CommandLauncher (command-launcher plugin) and
 * SSHLauncher (ssh-slaves plugin); retention: RetentionStrategy$Always. Other launcher
 * or retention classes and any node property are refused (500): the double could not
 * honour them. Unknown elements are dropped with an OldDataMonitor record, as
 * RobustReflectionConverter does.
 */
class NodeXml {
    private static final Logger LOGGER = Logger.getLogger(NodeXml.class.getName())

    static final Set<String> ROOTS = (["slave", DumbSlave.class.getName()] as Set<String>).asImmutable()
    static final String ALWAYS = "hudson.slaves.RetentionStrategy\$Always"

    /** The plugin versions the double reports for the plugin classes it carries (pluginManager/api/json, plugin="…" attributes). */
    static final Map<String, String> PLUGIN_VERSIONS = [
        (CommandLauncher.PLUGIN): "123.v37cfdc92ef67",
        (SSHLauncher.PLUGIN)    : "3.1031.v72c6b_883b_869",
    ].asImmutable()

    // ---- reading ---------------------------------------------------------------------------

    /** A new DumbSlave from config.xml; its name is the XML's unless one is given. */
    static DumbSlave read(byte[] xml, String name) throws IOException {
        Element root = XmlCodec.parse(xml, "Failed to read the node's config.xml").getDocumentElement()
        if (!ROOTS.contains(root.getTagName())) {
            throw new ItemXml.Unsupported("Unable to read config.xml: the Jenkins double has no node type <" + root.getTagName()
                    + "> (it loads permanent agents, <slave>)")
        }
        List<Throwable> problems = new ArrayList<Throwable>()
        Map<String, String> text = new HashMap<String, String>()
        ComputerLauncher launcher = null
        RetentionStrategy strategy = null
        OfflineCause offline = null
        for (Element e : XmlCodec.children(root)) {
            String tag = e.getTagName()
            switch (tag) {
                case "name": case "description": case "remoteFS": case "numExecutors": case "mode": case "label":
                    text.put(tag, e.getTextContent())
                    break
                case "launcher":
                    launcher = launcherFromXml(e)
                    break
                case "retentionStrategy":
                    strategy = retention(e.getAttribute("class"))
                    break
                case "nodeProperties":
                    if (!XmlCodec.children(e).isEmpty()) {
                        throw new ItemXml.Unsupported("Unable to read config.xml: the Jenkins double has no node properties, not "
                                + XmlCodec.children(e).get(0).getTagName())
                    }
                    break
                case "temporaryOfflineCause":
                    offline = offlineCause(e, problems)
                    break
                default:
                    problems.add(new NoSuchFieldException("No field '" + tag + "' found in class '" + DumbSlave.class.getName() + "'"))
            }
        }
        String nodeName = name != null ? name : text.get("name")
        if (nodeName == null || nodeName.trim().isEmpty()) {
            throw new hudson.model.Failure("Invalid agent configuration. Name is empty")
        }
        DumbSlave n = new DumbSlave(nodeName, remoteFs(text.get("remoteFS")), launcher)
        n.setNodeDescription(text.get("description"))
        n.setNumExecutors(parseExecutors(text.get("numExecutors")))
        n.setMode(text.get("mode") == null ? Node.Mode.NORMAL : Node.Mode.valueOf(text.get("mode").trim()))
        n.setLabelString(text.get("label"))
        n.setRetentionStrategy(strategy)
        if (offline != null) {
            Fields.set(n, "temporaryOfflineCause", offline)
        }
        if (!problems.isEmpty()) {
            LOGGER.log(Level.WARNING, "Unreadable data in the config.xml of {0}; dropped: {1}", [n, problems] as Object[])
            OldDataMonitor.report(n, problems)
        }
        return n
    }

    private static String remoteFs(String remoteFS) {
        return hudson.Util.fixNull(remoteFS).trim()
    }

    private static int parseExecutors(String s) {
        try {
            return s == null ? 1 : Integer.parseInt(s.trim())
        } catch (NumberFormatException e) {
            throw new hudson.model.Failure("Invalid agent configuration. Invalid # of executors: " + s)
        }
    }

    static RetentionStrategy retention(String className) {
        if (className == null || className.isEmpty()) {
            return null
        }
        if (ALWAYS.equals(className)) {
            return new RetentionStrategy.Always()
        }
        throw new ItemXml.Unsupported("the Jenkins double keeps agents online with " + ALWAYS + " only, not " + className)
    }

    private static ComputerLauncher launcherFromXml(Element e) {
        String cls = e.getAttribute("class")
        Map<String, String> f = new HashMap<String, String>()
        for (Element c : XmlCodec.children(e)) {
            f.put(c.getTagName(), c.getTextContent())
        }
        return launcher(cls, f)
    }

    /** A launcher from a class name and its fields (config.xml children, or the form's JSON object). */
    static ComputerLauncher launcher(String cls, Map<String, ?> f) {
        switch (cls) {
            case JNLPLauncher.class.getName():
                return new JNLPLauncher(f.get("tunnel") == null ? null : String.valueOf(f.get("tunnel")))
            case CommandLauncher.class.getName():
                return new CommandLauncher(f.get("command") != null ? String.valueOf(f.get("command"))
                        : f.get("agentCommand") == null ? null : String.valueOf(f.get("agentCommand")))
            case SSHLauncher.class.getName():
                SSHLauncher s = new SSHLauncher(str(f, "host"), integer(f, "port") ?: 22, str(f, "credentialsId"))
                s.setJvmOptions(str(f, "jvmOptions"))
                s.setJavaPath(str(f, "javaPath"))
                s.setPrefixStartSlaveCmd(str(f, "prefixStartSlaveCmd"))
                s.setSuffixStartSlaveCmd(str(f, "suffixStartSlaveCmd"))
                s.setLaunchTimeoutSeconds(integer(f, "launchTimeoutSeconds"))
                s.setMaxNumRetries(integer(f, "maxNumRetries"))
                s.setRetryWaitTime(integer(f, "retryWaitTime"))
                return s
            default:
                throw new ItemXml.Unsupported("the Jenkins double launches agents with " + JNLPLauncher.class.getName() + ", "
                        + CommandLauncher.class.getName() + " or " + SSHLauncher.class.getName() + ", not " + cls)
        }
    }

    private static String str(Map<String, ?> f, String key) {
        Object v = f.get(key)
        return v == null ? null : String.valueOf(v)
    }

    private static Integer integer(Map<String, ?> f, String key) {
        Object v = f.get(key)
        if (v == null || String.valueOf(v).trim().isEmpty()) {
            return null
        }
        return Integer.valueOf(String.valueOf(v).trim())
    }

    private static OfflineCause offlineCause(Element e, List<Throwable> problems) {
        String cls = e.getAttribute("class")
        String userId = XmlCodec.childText(e, "userId")
        String message = XmlCodec.childText(e, "message")
        OfflineCause cause
        switch (cls) {
            case "hudson.slaves.OfflineCause\$UserCause": cause = new OfflineCause.UserCause(userId, message); break
            case "hudson.slaves.OfflineCause\$ByCLI":
                cause = new OfflineCause.ByCLI(message)
                Fields.set(cause, "userId", userId)
                break
            case "hudson.slaves.OfflineCause\$LegacyOfflineCause": cause = new OfflineCause.LegacyOfflineCause(); break
            default:
                problems.add(new ClassNotFoundException(cls))
                return null
        }
        String ts = XmlCodec.childText(e, "timestamp")
        if (ts != null && ts.trim().isLong()) {
            Fields.set(cause, "timestamp", Long.parseLong(ts.trim()))
        }
        return cause
    }

    // ---- writing ---------------------------------------------------------------------------

    static String write(Slave n) {
        XmlCodec.Out o = new XmlCodec.Out()
        o.open("slave")
        OfflineCause cause = n.getTemporaryOfflineCause()
        if (cause != null) {
            o.open("temporaryOfflineCause", [class: cause.getClass().getName().replace("OfflineCause.", "OfflineCause\$")])
            o.text("timestamp", cause.getTimestamp())
            if (cause instanceof OfflineCause.UserCause) {
                o.text("userId", ((OfflineCause.UserCause) cause).getUserId())
                o.text("message", ((OfflineCause.UserCause) cause).getMessage())
            }
            o.close("temporaryOfflineCause")
        }
        o.text("name", n.getNodeName())
        o.text("description", n.getNodeDescription())
        o.text("remoteFS", n.getRemoteFS())
        o.text("numExecutors", n.getNumExecutors())
        o.text("mode", n.getMode().name())
        RetentionStrategy r = (RetentionStrategy) Fields.get(n, "retentionStrategy")
        if (r != null) {
            o.empty("retentionStrategy", [class: r.getClass().getName().replace("RetentionStrategy.", "RetentionStrategy\$")])
        }
        ComputerLauncher l = (ComputerLauncher) Fields.get(n, "launcher")
        if (l != null) {
            writeLauncher(o, l)
        }
        o.text("label", n.getLabelString())
        o.list("nodeProperties", n.getNodeProperties(), { XmlCodec.Out out, NodeProperty p -> out.empty(p.getClass().getName()) })
        o.close("slave")
        return o.toString()
    }

    private static void writeLauncher(XmlCodec.Out o, ComputerLauncher l) {
        if (l instanceof JNLPLauncher) {
            o.open("launcher", [class: JNLPLauncher.class.getName()])
            o.text("tunnel", ((JNLPLauncher) l).getTunnel())
            o.open("workDirSettings")
            o.text("disabled", "false")
            o.text("internalDir", "remoting")
            o.text("failIfWorkDirIsMissing", "false")
            o.close("workDirSettings")
            o.text("webSocket", "false")
            o.close("launcher")
        } else if (l instanceof CommandLauncher) {
            String cmd = ((CommandLauncher) l).getCommand()
            Map<String, String> attrs = [class: CommandLauncher.class.getName(), plugin: CommandLauncher.PLUGIN + "@" + PLUGIN_VERSIONS.get(CommandLauncher.PLUGIN)]
            if (cmd == null) {
                o.empty("launcher", attrs)
            } else {
                o.open("launcher", attrs)
                o.text("agentCommand", cmd)
                o.close("launcher")
            }
        } else if (l instanceof SSHLauncher) {
            SSHLauncher s = (SSHLauncher) l
            o.open("launcher", [class: SSHLauncher.class.getName(), plugin: SSHLauncher.PLUGIN + "@" + PLUGIN_VERSIONS.get(SSHLauncher.PLUGIN)])
            o.text("host", s.getHost())
            o.text("port", s.getPort())
            o.text("credentialsId", s.getCredentialsId())
            o.text("jvmOptions", s.getJvmOptions())
            o.text("javaPath", s.getJavaPath())
            o.text("prefixStartSlaveCmd", s.getPrefixStartSlaveCmd())
            o.text("suffixStartSlaveCmd", s.getSuffixStartSlaveCmd())
            o.text("launchTimeoutSeconds", s.getLaunchTimeoutSeconds())
            o.text("maxNumRetries", s.getMaxNumRetries())
            o.text("retryWaitTime", s.getRetryWaitTime())
            o.close("launcher")
        } else {
            // a launcher class defined by a script: named, its fields are not written
            o.empty("launcher", [class: l.getClass().getName()])
        }
    }
}
