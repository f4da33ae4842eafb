package jenkinsdouble

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import groovy.json.JsonOutput
import hudson.model.AbstractBuild
import hudson.model.AbstractProject
import hudson.model.Action
import hudson.model.Cause
import hudson.model.CauseAction
import hudson.model.ItemGroup
import hudson.model.Job
import hudson.model.ParameterDefinition
import hudson.model.ParameterValue
import hudson.model.ParametersAction
import hudson.model.ParametersDefinitionProperty
import hudson.model.Queue
import hudson.model.Result
import hudson.model.Run
import hudson.model.TopLevelItem
import java.nio.charset.StandardCharsets
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins
import jenkins.model.ParameterizedJobMixIn

/**
 * Not a Jenkins class: the double's web layer, standing in for Stapler and Jenkins'
 * servlet filters. Order as in Jenkins: authentication (BasicHeaderProcessor), then the
 * crumb check on POST (CrumbFilter), then the permission check of the page. Requests
 * are served on a thread pool, so a long-polling script does not hold up other calls.
 * Only the endpoints python-jenkins and the project use are served; JSON bodies carry
 * the fields those clients read (a subset of Jenkins' remote API).
 */
class HttpFrontEnd {
    private static final Logger LOGGER = Logger.getLogger(HttpFrontEnd.class.getName())

    private final Jenkins jenkins
    private final Security security
    private final ScriptConsole console
    private final RestApi restApi
    private final HttpServer server
    private final ExecutorService pool = Executors.newCachedThreadPool({ Runnable r ->
        Thread t = new Thread(r, "Handling HTTP request")
        t.setDaemon(true)
        return t
    } as java.util.concurrent.ThreadFactory)

    HttpFrontEnd(Jenkins jenkins, Security security, ScriptConsole console, String host, int port) {
        this.jenkins = jenkins
        this.security = security
        this.console = console
        this.restApi = new RestApi(jenkins)
        this.server = HttpServer.create(new InetSocketAddress(host, port), 200)
        server.createContext("/", { HttpExchange ex -> handle(ex) } as com.sun.net.httpserver.HttpHandler)
        server.setExecutor(pool)
    }

    int getPort() {
        return server.getAddress().getPort()
    }

    void start() {
        server.start()
    }

    void stop() {
        server.stop(0)
        pool.shutdownNow()
    }

    private void handle(HttpExchange ex) {
        try {
            Request req = new Request(ex)
            Object[] auth = security.authenticate(req.header("Authorization"))
            Security.Via via = (Security.Via) auth[1]
            if (via == Security.Via.BAD_CREDENTIALS) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"Jenkins\"")
                send(ex, 401, "text/plain", "Invalid password/token for user: " + auth[0])
                return
            }
            Security.User user = (Security.User) auth[0]
            RequestContext.enter(new RequestContext(user == null ? null : user.id, req.rootUrl()))
            try {
                if ("POST".equals(req.method) && !crumbOk(req, user, via)) {
                    send(ex, 403, "text/plain", "No valid crumb was included in the request")
                    return
                }
                route(req, user)
            } finally {
                RequestContext.leave()
            }
        } catch (Throwable t) {
            LOGGER.log(Level.SEVERE, "error serving " + ex.getRequestURI(), t)
            StringWriter sw = new StringWriter()
            t.printStackTrace(new PrintWriter(sw))
            send(ex, 500, "text/plain", sw.toString())
        } finally {
            ex.close()
        }
    }

    /** API-token requests are exempt (jenkins.security.ApiCrumbExclusion) unless the double is told otherwise. */
    private boolean crumbOk(Request req, Security.User user, Security.Via via) {
        if (via == Security.Via.TOKEN && !security.crumbsForTokens) {
            return true
        }
        String crumb = req.header(Security.CRUMB_FIELD) ?: req.param(Security.CRUMB_FIELD)
        boolean ok = security.validCrumb(user == null ? "anonymous" : user.id, req.cookie(Security.SESSION_COOKIE), crumb)
        if (!ok) {
            LOGGER.log(Level.WARNING, "No valid crumb was included in request for {0} by {1}. Returning 403.", [req.path, user == null ? "anonymous" : user.id] as Object[])
        }
        return ok
    }

    private void route(Request req, Security.User user) {
        HttpExchange ex = req.exchange
        List<String> parts = new ArrayList<String>()
        for (String p : req.path.split("/")) {
            if (!p.isEmpty()) {
                parts.add(URLDecoder.decode(p, "UTF-8"))
            }
        }
        if (parts == ["scriptText"]) {
            if (!requireAdmin(ex, user)) {
                return
            }
            if (!"POST".equals(req.method)) {
                send(ex, 405, "text/plain", "requires POST")
                return
            }
            String script = req.param("script")
            send(ex, 200, "text/plain;charset=UTF-8", script == null ? "" : console.execute(script))
            return
        }
        if (!requireRead(ex, user)) {
            return
        }
        if (restApi.route(req, user, parts)) {
            return
        }
        if (parts.isEmpty()) {
            send(ex, 200, "text/html;charset=UTF-8", "<html><head><title>Dashboard [Jenkins]</title></head><body>Jenkins double</body></html>")
        } else if (parts == ["api", "json"]) {
            sendJson(ex, rootJson())
        } else if (parts == ["crumbIssuer", "api", "json"]) {
            String session = req.cookie(Security.SESSION_COOKIE)
            if (!security.isSession(session)) {
                session = security.newSession()
                ex.getResponseHeaders().add("Set-Cookie", Security.SESSION_COOKIE + "=" + session + "; Path=/; HttpOnly")
            }
            sendJson(ex, [_class: "hudson.security.csrf.DefaultCrumbIssuer", crumb: security.crumb(user == null ? "anonymous" : user.id, session), crumbRequestField: Security.CRUMB_FIELD])
        } else if (parts == ["me", "api", "json"]) {
            String id = user == null ? "anonymous" : user.id
            sendJson(ex, [_class: "hudson.model.User", absoluteUrl: req.rootUrl() + "user/" + id, description: null, fullName: id, id: id, property: []])
        } else if (parts == ["queue", "api", "json"]) {
            List<Object> items = new ArrayList<Object>()
            for (Queue.Item i : jenkins.getQueue().getItems()) {
                items.add(queueItemJson(i))
            }
            sendJson(ex, [_class: "hudson.model.Queue", discoverableItems: [], items: items])
        } else if (parts.size() == 5 && parts.subList(0, 2) == ["queue", "item"] && parts.subList(3, 5) == ["api", "json"]) {
            Queue.Item item = parts.get(2).isLong() ? jenkins.getQueue().getItem(Long.parseLong(parts.get(2))) : null
            if (item == null) {
                send(ex, 404, "text/plain", "Not found")
            } else {
                sendJson(ex, queueItemJson(item))
            }
        } else if (parts == ["queue", "cancelItem"] && "POST".equals(req.method)) {
            Queue.Item item = jenkins.getQueue().getItem(Long.parseLong(req.param("id")))
            if (item == null) {
                send(ex, 404, "text/plain", "Provided id (" + req.param("id") + ") not found")
            } else if (!user?.admin) {
                send(ex, 403, "text/plain", user.id + " is missing the Job/Cancel permission")
            } else if (jenkins.getQueue().cancel(item)) {
                send(ex, 204, "text/plain", "")
            } else {
                // Queue.doCancelItem: the item left its list in the meantime (started, or re-filed).
                send(ex, 500, "text/plain", "Could not cancel run for id " + req.param("id"))
            }
        } else if (parts.size() >= 2 && parts.get(0).equals("job")) {
            routeJob(req, user, parts)
        } else {
            send(ex, 404, "text/plain", "Not found")
        }
    }

    private void routeJob(Request req, Security.User user, List<String> parts) {
        HttpExchange ex = req.exchange
        // /job/A/job/B/...: each "job/NAME" looks NAME up in the folder before it, as Stapler does.
        Object item = jenkins
        int i = 0
        while (i + 1 < parts.size() && parts.get(i).equals("job") && item instanceof ItemGroup) {
            item = ((ItemGroup) item).getItem(parts.get(i + 1))
            i += 2
        }
        if (item instanceof ItemGroup && !item.is(jenkins) && parts.subList(i, parts.size()) == ["api", "json"]) {
            sendJson(ex, folderJson((ItemGroup) item))
            return
        }
        if (!(item instanceof ParameterizedJobMixIn.ParameterizedJob)) {
            send(ex, 404, "text/plain", "Not found")
            return
        }
        Job job = (Job) item
        List<String> rest = parts.subList(i, parts.size())
        if (job instanceof AbstractProject && restApi.routeJob(req, user, (AbstractProject) job, rest)) {
            return
        }
        if (rest == ["api", "json"]) {
            sendJson(ex, jobJson(job))
        } else if ((rest == ["build"] || rest == ["buildWithParameters"]) && "POST".equals(req.method)) {
            if (!user?.admin) {
                send(ex, 403, "text/plain", (user == null ? "anonymous" : user.id) + " is missing the Job/Build permission")
                return
            }
            build(req, job, rest.get(0).equals("buildWithParameters"))
        } else if (rest.size() >= 1 && (rest.get(0).isInteger() || rest.get(0).equals("lastBuild"))) {
            Run run = rest.get(0).equals("lastBuild") ? job.getLastBuild() : job.getBuildByNumber(Integer.parseInt(rest.get(0)))
            List<String> sub = rest.subList(1, rest.size())
            if (run == null) {
                send(ex, 404, "text/plain", "Not found")
            } else if (sub == ["api", "json"]) {
                sendJson(ex, buildJson(run))
            } else if (sub == ["consoleText"]) {
                send(ex, 200, "text/plain;charset=UTF-8", run.getLog())
            } else if (sub == ["stop"] && "POST".equals(req.method)) {
                if (!user?.admin) {
                    send(ex, 403, "text/plain", (user == null ? "anonymous" : user.id) + " is missing the Job/Cancel permission")
                    return
                }
                run.doStop()
                ex.getResponseHeaders().add("Location", req.rootUrl() + run.getUrl())
                send(ex, 302, "text/plain", "")
            } else {
                send(ex, 404, "text/plain", "Not found")
            }
        } else {
            send(ex, 404, "text/plain", "Not found")
        }
    }

    /**
     * POST /job/NAME/build and /buildWithParameters (ParameterizedJobMixIn.doBuild and
     * ParametersDefinitionProperty.buildWithParameters): only declared parameters are
     * read from the request (others are ignored), missing ones take their defaults;
     * the cause is a UserIdCause; 201 with the queue item's URL.
     */
    private void build(Request req, Job job, boolean withParameters) {
        HttpExchange ex = req.exchange
        if (!job.isBuildable()) {
            send(ex, 409, "text/plain", job.getFullName() + " is not buildable")
            return
        }
        int delay = parseDelay(req.param("delay"), job.getQuietPeriod())
        ParametersDefinitionProperty pp = (ParametersDefinitionProperty) job.getProperty(ParametersDefinitionProperty.class)
        List<Action> actions = new ArrayList<Action>()
        actions.add(new CauseAction(new Cause.UserIdCause()))
        if (withParameters) {
            if (pp == null) {
                send(ex, 400, "text/plain", job.getFullName() + " is not parameterized")
                return
            }
            List<ParameterValue> values = new ArrayList<ParameterValue>()
            for (ParameterDefinition d : pp.getParameterDefinitions()) {
                String given = req.param(d.getName())
                ParameterValue v = given != null ? d.createValue(given) : d.getDefaultParameterValue()
                if (v != null) {
                    values.add(v)
                }
            }
            actions.add(0, new ParametersAction(values))
        } else if (pp != null) {
            send(ex, 400, "text/plain", "This page expects a form submission with the parameters of " + job.getFullName())
            return
        }
        Queue.Item item = ParameterizedJobMixIn.scheduleBuild2(job, delay, actions.toArray(new Action[actions.size()]))
        if (item == null) {
            ex.getResponseHeaders().add("Location", req.rootUrl() + job.getUrl())
            send(ex, 302, "text/plain", "")
            return
        }
        ex.getResponseHeaders().add("Location", req.rootUrl() + item.getUrl())
        send(ex, 201, "text/plain", "")
    }

    /** Jenkins' TimeDuration: "5sec", "5 sec", "5" (seconds here), default the job's quiet period. */
    private static int parseDelay(String delay, int fallback) {
        if (delay == null) {
            return fallback
        }
        String digits = delay.replaceAll("[^0-9]", "")
        return digits.isEmpty() ? fallback : Integer.parseInt(digits)
    }

    private boolean requireRead(HttpExchange ex, Security.User user) {
        if (user == null && !security.anonymousRead) {
            ex.getResponseHeaders().add("X-You-Are-Authenticated-As", "anonymous")
            ex.getResponseHeaders().add("X-Required-Permission", "hudson.model.Hudson.Read")
            send(ex, 403, "text/html;charset=UTF-8", "<html><body>Authentication required</body></html>")
            return false
        }
        return true
    }

    /** Anonymous: 403 "Authentication required" (HudsonAuthenticationEntryPoint); a non-admin: 403 missing permission. */
    private boolean requireAdmin(HttpExchange ex, Security.User user) {
        if (user == null) {
            ex.getResponseHeaders().add("X-You-Are-Authenticated-As", "anonymous")
            ex.getResponseHeaders().add("X-Required-Permission", "hudson.model.Hudson.Administer")
            send(ex, 403, "text/html;charset=UTF-8", "<html><body>Authentication required</body></html>")
            return false
        }
        if (!user.admin) {
            ex.getResponseHeaders().add("X-You-Are-Authenticated-As", user.id)
            ex.getResponseHeaders().add("X-Required-Permission", "hudson.model.Hudson.Administer")
            send(ex, 403, "text/html;charset=UTF-8", "<html><body>" + user.id + " is missing the Overall/Administer permission</body></html>")
            return false
        }
        return true
    }

    private Map rootJson() {
        List<Object> jobs = itemsJson(jenkins)
        return [_class: "hudson.model.Hudson", mode: jenkins.getMode().name(), nodeDescription: jenkins.getNodeDescription(), nodeName: "",
                numExecutors: jenkins.getNumExecutors(), description: null, jobs: jobs, quietingDown: jenkins.isQuietingDown(),
                slaveAgentPort: -1, useCrumbs: true, useSecurity: true, views: [[_class: "hudson.model.AllView", name: "all", url: jenkins.getRootUrl()]]]
    }

    /** A group's jobs and folders (folders without a colour), as "jobs" of the remote API lists them. */
    private List<Object> itemsJson(ItemGroup group) {
        List<Object> jobs = new ArrayList<Object>()
        for (Object o : group.getItems()) {
            hudson.model.Item i = (hudson.model.Item) o
            if (i instanceof Job) {
                jobs.add([_class: i.getClass().getName(), name: i.getName(), url: jenkins.getRootUrl() + i.getUrl(), color: color((Job) i)])
            } else if (i instanceof ItemGroup) {
                jobs.add([_class: i.getClass().getName(), name: i.getName(), url: jenkins.getRootUrl() + i.getUrl()])
            }
        }
        return jobs
    }

    /** GET /job/FOLDER/api/json. */
    private Map folderJson(ItemGroup folder) {
        hudson.model.AbstractItem f = (hudson.model.AbstractItem) folder
        return [_class: f.getClass().getName(), actions: [], description: f.getDescription(), displayName: f.getDisplayName(),
                fullDisplayName: f.getFullDisplayName(), fullName: f.getFullName(), name: f.getName(), url: jenkins.getRootUrl() + f.getUrl(),
                healthReport: [], jobs: itemsJson(folder), primaryView: null, views: []]
    }

    private Map jobJson(Job job) {
        String root = jenkins.getRootUrl()
        List<Object> builds = new ArrayList<Object>()
        for (Object o : job.getBuilds()) {
            builds.add(buildRef((Run) o))
        }
        List<Object> props = new ArrayList<Object>()
        ParametersDefinitionProperty pp = (ParametersDefinitionProperty) job.getProperty(ParametersDefinitionProperty.class)
        if (pp != null) {
            List<Object> defs = new ArrayList<Object>()
            for (ParameterDefinition d : pp.getParameterDefinitions()) {
                ParameterValue dv = d.getDefaultParameterValue()
                defs.add([_class: d.getClass().getName(), name: d.getName(), description: d.getDescription(),
                          defaultParameterValue: dv == null ? null : [_class: dv.getClass().getName(), name: dv.getName(), value: dv.getValue()]])
            }
            props.add([_class: ParametersDefinitionProperty.class.getName(), parameterDefinitions: defs])
        }
        Queue.Item qi = job.getQueueItem()
        return [_class: job.getClass().getName(), actions: [], description: job.getDescription(), displayName: job.getDisplayName(),
                fullDisplayName: job.getFullDisplayName(), fullName: job.getFullName(), name: job.getName(), url: root + job.getUrl(),
                buildable: job.isBuildable(), builds: builds, color: color(job), firstBuild: buildRef(job.getFirstBuild()),
                healthReport: [], inQueue: job.isInQueue(), keepDependencies: false, lastBuild: buildRef(job.getLastBuild()),
                lastCompletedBuild: buildRef(job.getLastCompletedBuild()), lastFailedBuild: buildRef(job.getLastFailedBuild()),
                lastSuccessfulBuild: buildRef(job.getLastSuccessfulBuild()), nextBuildNumber: job.getNextBuildNumber(), property: props,
                queueItem: qi == null ? null : queueItemJson(qi), concurrentBuild: job.isConcurrentBuild(), disabled: job.isDisabled(),
                labelExpression: job instanceof AbstractProject ? ((AbstractProject) job).getAssignedLabelString() : null, scm: [_class: "hudson.scm.NullSCM"], downstreamProjects: [], upstreamProjects: []]
    }

    private Map buildRef(Run run) {
        return run == null ? null : [_class: run.getClass().getName(), number: run.getNumber(), url: jenkins.getRootUrl() + run.getUrl()]
    }

    private Map buildJson(Run run) {
        Map m = buildRef(run)
        m.putAll([actions: actionsJson(run.getAllActions()), artifacts: [], building: run.isBuilding(), description: run.getDescription(),
                  displayName: run.getDisplayName(), duration: run.getDuration(), estimatedDuration: run.getEstimatedDuration(),
                  executor: null, fullDisplayName: run.getFullDisplayName(), id: run.getId(), keepLog: false, queueId: run.getQueueId(),
                  result: run.isBuilding() || run.getResult() == null ? null : run.getResult().toString(), timestamp: run.getTimeInMillis(),
                  builtOn: run instanceof AbstractBuild ? ((AbstractBuild) run).getBuiltOnStr() : null, changeSet: [items: [], kind: null], culprits: []])
        return m
    }

    private static List<Object> actionsJson(List<? extends Action> actions) {
        List<Object> out = new ArrayList<Object>()
        for (Action a : actions) {
            if (a instanceof CauseAction) {
                List<Object> causes = new ArrayList<Object>()
                for (Cause c : ((CauseAction) a).getCauses()) {
                    Map cm = [_class: c.getClass().getName(), shortDescription: c.getShortDescription()]
                    if (c instanceof Cause.UserIdCause) {
                        cm.put("userId", ((Cause.UserIdCause) c).getUserId())
                        cm.put("userName", ((Cause.UserIdCause) c).getUserName())
                    }
                    if (c instanceof Cause.RemoteCause) {
                        cm.put("addr", ((Cause.RemoteCause) c).getAddr())
                        cm.put("note", ((Cause.RemoteCause) c).getNote())
                    }
                    causes.add(cm)
                }
                out.add([_class: CauseAction.class.getName(), causes: causes])
            } else if (a instanceof ParametersAction) {
                List<Object> params = new ArrayList<Object>()
                for (ParameterValue v : ((ParametersAction) a).getParameters()) {
                    params.add([_class: v.getClass().getName(), name: v.getName(), value: v.getValue()])
                }
                out.add([_class: ParametersAction.class.getName(), parameters: params])
            } else {
                out.add([_class: a.getClass().getName()])
            }
        }
        return out
    }

    private Map queueItemJson(Queue.Item item) {
        Map m = [_class: item.getClass().getName().replace("hudson.model.Queue.", "hudson.model.Queue\$"), actions: actionsJson(item.getAllActions()),
                 blocked: item.isBlocked(), buildable: item.isBuildable(), id: item.getId(), inQueueSince: item.getInQueueSince(),
                 params: item.getParams(), stuck: item.isStuck(), url: item.getUrl(), why: item.getWhy()]
        if (item.task instanceof Job) {
            Job job = (Job) item.task
            m.put("task", [_class: job.getClass().getName(), name: job.getName(), url: jenkins.getRootUrl() + job.getUrl(), color: color(job)])
        }
        if (item instanceof Queue.WaitingItem) {
            m.put("timestamp", ((Queue.WaitingItem) item).timestamp.getTimeInMillis())
        }
        if (item instanceof Queue.NotWaitingItem) {
            m.put("buildableStartMilliseconds", ((Queue.NotWaitingItem) item).buildableStartMilliseconds)
        }
        if (item instanceof Queue.BuildableItem) {
            m.put("pending", ((Queue.BuildableItem) item).isPending())
        }
        if (item instanceof Queue.LeftItem) {
            Queue.LeftItem left = (Queue.LeftItem) item
            m.put("cancelled", left.isCancelled())
            Queue.Executable exec = left.getExecutable()
            m.put("executable", exec instanceof Run ? buildRef((Run) exec) : null)
        }
        return m
    }

    /** The ball colour of Jenkins' job list. */
    private static String color(Job job) {
        if (job instanceof ParameterizedJobMixIn.ParameterizedJob && ((ParameterizedJobMixIn.ParameterizedJob) job).isDisabled()) {
            return "disabled"
        }
        Run last = job.getLastBuild()
        if (last == null) {
            return "notbuilt"
        }
        Run completed = job.getLastCompletedBuild()
        Result r = completed == null ? null : completed.getResult()
        String base = r == null ? "notbuilt" : r == Result.SUCCESS ? "blue" : r == Result.UNSTABLE ? "yellow" : r == Result.FAILURE ? "red" : r == Result.ABORTED ? "aborted" : "notbuilt"
        return last.isBuilding() ? base + "_anime" : base
    }

    static void sendJson(HttpExchange ex, Object body) {
        send(ex, 200, "application/json;charset=utf-8", JsonOutput.toJson(body))
    }

    static void send(HttpExchange ex, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8)
        ex.getResponseHeaders().set("Content-Type", contentType)
        ex.getResponseHeaders().set("X-Jenkins", Jenkins.VERSION)
        ex.getResponseHeaders().set("X-Hudson", "1.395")
        if (status == 204 || bytes.length == 0) {
            ex.sendResponseHeaders(status, -1)
        } else {
            ex.sendResponseHeaders(status, bytes.length)
            ex.getResponseBody().write(bytes)
        }
    }
}
