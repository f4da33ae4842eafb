package jenkinsdouble

import com.sun.net.httpserver.HttpExchange
import groovy.json.JsonSlurper
import hudson.model.AbstractBuild
import hudson.model.AbstractProject
import hudson.model.Computer
import hudson.model.Executor
import hudson.model.Failure
import hudson.model.FreeStyleProject
import hudson.model.Node
import hudson.model.Project
import hudson.model.Queue
import hudson.model.Slave
import hudson.model.labels.LabelAtom
import hudson.plugins.sshslaves.SSHLauncher
import hudson.slaves.CommandLauncher
import hudson.slaves.ComputerLauncher
import hudson.slaves.DumbSlave
import hudson.slaves.JNLPLauncher
import hudson.slaves.OfflineCause
import hudson.slaves.SlaveComputer
import javax.xml.transform.stream.StreamSource
import jenkins.model.Jenkins
import org.kohsuke.stapler.HttpResponses

/**
 * Not a Jenkins class: the REST endpoints Jenkins Job Builder, Nodepool v0 and
 * python-jenkins use to manage jobs and agents, as Stapler serves Jenkins' web methods:
 * Jenkins.doCreateItem (ItemGroupMixIn.createTopLevelItem), AbstractItem.doConfigDotXml
 * and doDoDelete, AbstractProject.doDisable/doEnable, ComputerSet.doCreateItem and
 * doDoCreateItem, Computer.doToggleOffline, doDoDelete and doConfigDotXml, and the
 * remote API of ComputerSet, Computer and the plugin manager.
 *
 * Errors as Jenkins answers them: a Failure (bad input) is 400 with its message, an
 * HttpResponseException its status, a @RequirePOST method asked with GET is 405, and
 * anything else (XML that does not parse or cannot be loaded) reaches the front end's
 * 500 with the stack trace, as Stapler's error page.
 */
class RestApi {
    private final Jenkins jenkins

    RestApi(Jenkins jenkins) {
        this.jenkins = jenkins
    }

    /** Top-level routes; false when the path is not one of them. */
    boolean route(Request req, Security.User user, List<String> parts) {
        if (parts == ["createItem"]) {
            answer(req) { createItem(req, user) }
        } else if (parts == ["pluginManager", "api", "json"]) {
            HttpFrontEnd.sendJson(req.exchange, pluginsJson())
        } else if (!parts.isEmpty() && parts.get(0).equals("computer")) {
            answer(req) { routeComputer(req, user, parts.subList(1, parts.size())) }
        } else {
            return false
        }
        return true
    }

    /** Routes below job/NAME/ of a job the front end found; false when the path is not one of them. */
    boolean routeJob(Request req, Security.User user, AbstractProject job, List<String> rest) {
        if (rest.isEmpty() && "GET".equals(req.method)) {
            page(req.exchange, job.getFullDisplayName())
        } else if (rest == ["config.xml"]) {
            answer(req) { configXml(req, user, job) }
        } else if (rest == ["doDelete"]) {
            answer(req) {
                if (requirePost(req) && permit(req.exchange, user, "Job/Delete")) {
                    job.delete()
                    redirect(req, req.rootUrl() + jenkins.getUrl())
                }
            }
        } else if (rest == ["disable"] || rest == ["enable"]) {
            answer(req) {
                if (requirePost(req) && permit(req.exchange, user, "Job/Configure")) {
                    job.makeDisabled(rest.get(0).equals("disable"))
                    redirect(req, req.rootUrl() + job.getUrl())
                }
            }
        } else {
            return false
        }
        return true
    }

    // ---- jobs ------------------------------------------------------------------------------

    /** POST /createItem?name=N with a config.xml body, or mode=hudson.model.FreeStyleProject for an empty job. */
    private void createItem(Request req, Security.User user) {
        if (!requirePost(req) || !permit(req.exchange, user, "Job/Create")) {
            return
        }
        String type = req.header("Content-Type")
        String mode = req.param("mode")
        if (type == null && !"copy".equals(mode)) {
            throw new Failure("No Content-Type header set")
        }
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT)
        boolean xml = t.startsWith("application/xml") || t.startsWith("text/xml")
        String name = req.param("name")
        if (name == null) {
            throw new Failure("Query parameter 'name' is required")
        }
        checkGoodName(name)
        name = name.trim()
        if (jenkins.getItem(name) != null) {
            throw new Failure("A job already exists with the name ‘" + name + "’")
        }
        if ("copy".equals(mode)) {
            throw new Failure("The Jenkins double does not copy items (mode=copy)")
        }
        if (xml) {
            jenkins.createProjectFromXML(name, new ByteArrayInputStream(req.body))
            HttpFrontEnd.send(req.exchange, 200, "text/plain", "")
            return
        }
        if (mode == null) {
            throw new Failure("No mode given")
        }
        if (!FreeStyleProject.class.getName().equals(mode)) {
            throw new Failure("No item type ‘" + mode + "’ is known")
        }
        AbstractProject job = jenkins.createProject(FreeStyleProject.class, name)
        redirect(req, req.rootUrl() + job.getUrl() + "configure")
    }

    private void configXml(Request req, Security.User user, AbstractProject job) {
        if ("GET".equals(req.method)) {
            if (permit(req.exchange, user, "Job/ExtendedRead")) {
                HttpFrontEnd.send(req.exchange, 200, "application/xml", ItemXml.write((Project) job))
            }
        } else if ("POST".equals(req.method)) {
            if (permit(req.exchange, user, "Job/Configure")) {
                job.updateByXml(new StreamSource(new ByteArrayInputStream(req.body)))
                HttpFrontEnd.send(req.exchange, 200, "text/plain", "")
            }
        } else {
            HttpFrontEnd.send(req.exchange, 400, "text/plain", "")
        }
    }

    // ---- computers -------------------------------------------------------------------------

    private void routeComputer(Request req, Security.User user, List<String> rest) {
        HttpExchange ex = req.exchange
        if (rest.isEmpty()) {
            page(ex, "Nodes")
            return
        }
        if (rest == ["api", "json"]) {
            HttpFrontEnd.sendJson(ex, computerSetJson())
            return
        }
        if (rest == ["doCreateItem"]) {
            doDoCreateItem(req, user)
            return
        }
        if (rest == ["createItem"]) {
            createNodeFromXml(req, user)
            return
        }
        Computer c = jenkins.getComputer(rest.get(0))
        if (c == null) {
            throw HttpResponses.notFound()
        }
        List<String> sub = rest.subList(1, rest.size())
        if (sub.isEmpty() && "GET".equals(req.method)) {
            page(ex, c.getDisplayName())
        } else if (sub == ["api", "json"]) {
            HttpFrontEnd.sendJson(ex, computerJson(c))
        } else if (sub == ["toggleOffline"]) {
            if (requirePost(req) && permit(ex, user, c.isTemporarilyOffline() ? "Agent/Connect" : "Agent/Disconnect")) {
                toggleOffline(c, user, req.param("offlineMessage"))
                redirect(req, req.rootUrl() + c.getUrl())
            }
        } else if (sub == ["doDelete"]) {
            if (requirePost(req) && permit(ex, user, "Agent/Delete")) {
                if (c instanceof Jenkins.MasterComputer) {
                    throw HttpResponses.status(400)
                }
                Node node = c.getNode()
                if (node != null) {
                    jenkins.removeNode(node)
                } else {
                    jenkins.removeComputer(c)
                }
                redirect(req, req.rootUrl() + "computer/")
            }
        } else if (sub == ["config.xml"]) {
            if (c instanceof Jenkins.MasterComputer) {
                throw HttpResponses.status(400)
            }
            if ("GET".equals(req.method)) {
                if (permit(ex, user, "Agent/ExtendedRead")) {
                    Node node = c.getNode()
                    if (!(node instanceof Slave)) {
                        throw HttpResponses.notFound()
                    }
                    HttpFrontEnd.send(ex, 200, "application/xml", NodeXml.write((Slave) node))
                }
            } else if ("POST".equals(req.method)) {
                if (permit(ex, user, "Agent/Configure")) {
                    c.updateByXml(new ByteArrayInputStream(req.body))
                    HttpFrontEnd.send(ex, 200, "text/plain", "")
                }
            } else {
                HttpFrontEnd.send(ex, 400, "text/plain", "")
            }
        } else {
            throw HttpResponses.notFound()
        }
    }

    /**
     * Computer.doToggleOffline: back online, or temporarily offline with a UserCause carrying
     * the message; through setTemporarilyOffline(boolean, cause), which every version has.
     */
    private static void toggleOffline(Computer c, Security.User user, String offlineMessage) {
        if (c.getNode() == null) {
            throw HttpResponses.notFound()
        }
        if (c.isTemporarilyOffline()) {
            c.setTemporarilyOffline(false, null)
        } else {
            c.setTemporarilyOffline(true, new OfflineCause.UserCause(user == null ? null : user.id, hudson.Util.fixEmptyAndTrim(offlineMessage)))
        }
    }

    /**
     * ComputerSet.doDoCreateItem: name, type (the DumbSlave descriptor's class name or id) and
     * the form's JSON (nodeDescription, numExecutors, remoteFS, labelString, mode, launcher,
     * retentionStrategy, nodeProperties), bound as Stapler binds DumbSlave's
     * constructor (name, remoteFS, launcher) and setters; then Jenkins.addNode.
     */
    private void doDoCreateItem(Request req, Security.User user) {
        if (!requirePost(req) || !permit(req.exchange, user, "Agent/Create")) {
            return
        }
        String name = checkNodeName(req.param("name"))
        String type = req.param("type")
        if (!(DumbSlave.class.getName() + "\$DescriptorImpl").equals(type) && !DumbSlave.class.getName().equals(type)) {
            // NodeDescriptor.all().find(type) is null: Jenkins fails with a NullPointerException
            throw new IllegalArgumentException("No node type " + type + " is known to the Jenkins double (it has " + DumbSlave.class.getName() + ")")
        }
        String json = req.param("json")
        if (json == null) {
            throw new Failure("This page expects a form submission")
        }
        Map form = (Map) new JsonSlurper().parseText(json)
        Map launcherForm = form.get("launcher") instanceof Map ? (Map) form.get("launcher") : [:]
        ComputerLauncher launcher = NodeXml.launcher(staplerClass(launcherForm, JNLPLauncher.class.getName()), launcherForm)
        DumbSlave n = new DumbSlave(name, hudson.Util.fixNull(form.get("remoteFS") as String).trim(), launcher)
        n.setNodeDescription(form.get("nodeDescription") as String)
        if (form.get("numExecutors") != null) {
            String e = String.valueOf(form.get("numExecutors")).trim()
            if (!e.isInteger()) {
                throw new Failure("Invalid agent configuration. Invalid # of executors: " + e)
            }
            n.setNumExecutors(Integer.parseInt(e))
        }
        if (form.get("mode") != null) {
            n.setMode(Node.Mode.valueOf(String.valueOf(form.get("mode"))))
        }
        n.setLabelString(form.get("labelString") as String)
        if (form.get("retentionStrategy") instanceof Map) {
            n.setRetentionStrategy(NodeXml.retention(staplerClass((Map) form.get("retentionStrategy"), null)))
        }
        if (form.get("nodeProperties") instanceof Map) {
            for (Object k : ((Map) form.get("nodeProperties")).keySet()) {
                if (!"stapler-class-bag".equals(k)) {
                    throw new ItemXml.Unsupported("the Jenkins double has no node properties, not " + k)
                }
            }
        }
        jenkins.addNode(n)
        redirect(req, req.rootUrl() + "computer/")
    }

    /** ComputerSet.doCreateItem with an XML body: the node's config.xml, named by ?name= when given. */
    private void createNodeFromXml(Request req, Security.User user) {
        if (!requirePost(req) || !permit(req.exchange, user, "Agent/Create")) {
            return
        }
        String type = hudson.Util.fixNull(req.header("Content-Type")).toLowerCase(Locale.ROOT)
        if (!type.startsWith("application/xml") && !type.startsWith("text/xml")) {
            if (req.param("mode") == null) {
                throw new Failure("No mode given")
            }
            throw new Failure("The Jenkins double creates agents from config.xml or through doCreateItem only")
        }
        DumbSlave n = NodeXml.read(req.body, hudson.Util.fixEmptyAndTrim(req.param("name")))
        if (jenkins.getNode(n.getNodeName()) != null) {
            throw new Failure("Node '" + n.getNodeName() + "' already exists")
        }
        jenkins.addNode(n)
        HttpFrontEnd.send(req.exchange, 200, "text/plain", "")
    }

    /** ComputerSet.checkName. */
    private String checkNodeName(String name) {
        if (name == null) {
            throw new Failure("Query parameter 'name' is required")
        }
        name = name.trim()
        checkGoodName(name)
        if (jenkins.getNode(name) != null) {
            throw new Failure("Agent called ‘" + name + "’ already exists")
        }
        return name
    }

    private static String staplerClass(Map form, String fallback) {
        Object c = form.get("stapler-class") ?: form.get("\$class")
        return c == null ? fallback : String.valueOf(c)
    }

    private static void checkGoodName(String name) {
        try {
            Jenkins.checkGoodName(name)
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage())
        }
    }

    // ---- JSON ------------------------------------------------------------------------------

    private Map computerSetJson() {
        List<Object> computers = new ArrayList<Object>()
        int busy = 0
        int total = 0
        for (Computer c : jenkins.getComputers()) {
            computers.add(computerJson(c))
            busy += c.countBusy()
            total += c.countExecutors()
        }
        return [_class: "hudson.model.ComputerSet", busyExecutors: busy, computer: computers, displayName: "Nodes", totalExecutors: total]
    }

    /** Computer's exported fields (the ones python-jenkins and Nodepool read, and their neighbours). */
    private Map computerJson(Computer c) {
        boolean master = c instanceof Jenkins.MasterComputer
        List<Object> labels = new ArrayList<Object>()
        List<String> names = new ArrayList<String>()
        for (LabelAtom a : c.getAssignedLabels()) {
            names.add(a.getName())
        }
        Collections.sort(names)
        for (String n : names) {
            labels.add([name: n])
        }
        List<Object> executors = new ArrayList<Object>()
        for (Executor e : c.getExecutors()) {
            Queue.Executable exec = e.getCurrentExecutable()
            executors.add([_class: Executor.class.getName(), currentExecutable: exec instanceof AbstractBuild ? buildRef((AbstractBuild) exec) : null,
                           idle: e.isIdle(), likelyStuck: e.isLikelyStuck(), number: e.getNumber(), progress: e.getProgress()])
        }
        OfflineCause cause = c.getOfflineCause()
        ComputerLauncher launcher = c instanceof SlaveComputer ? ((SlaveComputer) c).getLauncher() : null
        boolean offline = c.isOffline()
        return [_class              : master ? "hudson.model.Hudson\$MasterComputer" : SlaveComputer.class.getName(),
                actions             : [], assignedLabels: labels, description: c.getDescription(), displayName: c.getDisplayName(),
                executors           : executors, icon: offline ? "symbol-computer-offline" : "symbol-computer",
                iconClassName       : offline ? "icon-computer-x" : "icon-computer", idle: c.isIdle(),
                jnlpAgent           : launcher instanceof JNLPLauncher, launchSupported: launcher == null || launcher.isLaunchSupported(),
                loadStatistics      : [_class: "hudson.model.Label\$1"], manualLaunchAllowed: true, monitorData: [:],
                numExecutors        : c.getNumExecutors(), offline: offline,
                offlineCause        : cause == null ? null : [_class: cause.getClass().getName(), description: cause.toString(), timestamp: cause.getTimestamp()],
                offlineCauseReason  : c.getOfflineCauseReason(), oneOffExecutors: [], temporarilyOffline: c.isTemporarilyOffline(),
                absoluteRemotePath  : !master && !offline && c.getNode() instanceof Slave ? ((Slave) c.getNode()).getRemoteFS() : null]
    }

    private Map buildRef(AbstractBuild b) {
        return [_class: b.getClass().getName(), number: b.getNumber(), url: jenkins.getRootUrl() + b.getUrl()]
    }

    /** The plugin manager lists the plugins whose classes the double carries (their launchers). */
    private static Map pluginsJson() {
        List<Object> plugins = new ArrayList<Object>()
        Map<String, String> longNames = [(CommandLauncher.PLUGIN): "Command Agent Launcher Plugin", (SSHLauncher.PLUGIN): "SSH Build Agents plugin"]
        for (Map.Entry<String, String> p : NodeXml.PLUGIN_VERSIONS.entrySet()) {
            plugins.add([active: true, backupVersion: null, bundled: false, deleted: false, dependencies: [], detached: p.getKey().equals(CommandLauncher.PLUGIN),
                         downgradable: false, enabled: true, hasUpdate: false, longName: longNames.get(p.getKey()), pinned: false,
                         requiredCoreVersion: "2.479.3", shortName: p.getKey(), supportsDynamicLoad: "MAYBE",
                         url: "https://plugins.jenkins.io/" + p.getKey() + "/", version: p.getValue()])
        }
        return [_class: "hudson.LocalPluginManager", plugins: plugins]
    }

    // ---- responses -------------------------------------------------------------------------

    /** Runs a handler, answering a Failure with 400 and an HttpResponseException with its status. */
    private static void answer(Request req, Closure handler) {
        try {
            handler.call()
        } catch (Failure f) {
            HttpFrontEnd.send(req.exchange, 400, "text/html;charset=UTF-8",
                    "<html><head><title>Error [Jenkins]</title></head><body><h1>Error</h1><p>" + XmlCodec.escape(f.getMessage()) + "</p></body></html>")
        } catch (HttpResponses.HttpResponseException e) {
            HttpFrontEnd.send(req.exchange, e.status, "text/plain;charset=UTF-8", e.getMessage() ?: "")
        }
    }

    /** @RequirePOST: other methods get 405 and a page saying so. */
    private static boolean requirePost(Request req) {
        if ("POST".equals(req.method)) {
            return true
        }
        HttpFrontEnd.send(req.exchange, 405, "text/html;charset=UTF-8", "<html><body>This URL requires POST</body></html>")
        return false
    }

    /** The double's permissions: an admin has them all, anyone else none of these. */
    private static boolean permit(HttpExchange ex, Security.User user, String permission) {
        if (user != null && user.admin) {
            return true
        }
        String who = user == null ? "anonymous" : user.id
        ex.getResponseHeaders().add("X-You-Are-Authenticated-As", who)
        ex.getResponseHeaders().add("X-Required-Permission", permission)
        String body = user == null ? "Authentication required" : who + " is missing the " + permission + " permission"
        HttpFrontEnd.send(ex, 403, "text/html;charset=UTF-8", "<html><body>" + body + "</body></html>")
        return false
    }

    private static void redirect(Request req, String location) {
        req.exchange.getResponseHeaders().add("Location", location)
        HttpFrontEnd.send(req.exchange, 302, "text/plain", "")
    }

    private static void page(HttpExchange ex, String title) {
        HttpFrontEnd.send(ex, 200, "text/html;charset=UTF-8", "<html><head><title>" + XmlCodec.escape(title) + " [Jenkins]</title></head><body></body></html>")
    }
}
