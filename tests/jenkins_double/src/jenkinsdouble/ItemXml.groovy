package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.AbstractItem
import hudson.model.BooleanParameterDefinition
import hudson.model.FreeStyleProject
import hudson.model.ItemGroup
import hudson.model.JobProperty
import hudson.model.ParameterDefinition
import hudson.model.ParametersDefinitionProperty
import hudson.model.Project
import hudson.model.Queue
import hudson.model.StringParameterDefinition
import hudson.model.TextParameterDefinition
import hudson.model.TopLevelItem
import hudson.model.listeners.ItemListener
import hudson.tasks.Builder
import hudson.tasks.Shell
import java.util.logging.Level
import java.util.logging.Logger
import javax.xml.transform.Source
import javax.xml.transform.stream.StreamSource
import org.w3c.dom.Document
import org.w3c.dom.Element

/**
 * Not a Jenkins class: the config.xml of a freestyle job, as Jenkins' XStream reads and
 * writes it (Items.XSTREAM2 with RobustReflectionConverter), for
 * ItemGroupMixIn.createProjectFromXML and AbstractItem.updateByXml/doConfigDotXml.
 *
 * Three kinds of elements under {@code <project>}:
 * <ul>
 * <li>modelled: read into the job and written from it (description, displayName,
 *     properties/ParametersDefinitionProperty with String/Text/Boolean definitions,
 *     quietPeriod, assignedNode, canRoam, disabled, concurrentBuild, builders/Shell);</li>
 * <li>kept: the other fields of FreeStyleProject in Jenkins core (actions, logRotator,
 *     keepDependencies, scm, scmCheckoutStrategy, scmCheckoutRetryCount,
 *     blockBuildWhen*Building, jdk, authToken, triggers, customWorkspace, publishers,
 *     buildWrappers) and job properties other than parameters: stored as posted in
 *     jobs/NAME/config-unmodeled.xml and written back in their place, with no behaviour;</li>
 * <li>unknown (no such field of FreeStyleProject): dropped with a warning and an
 *     OldDataMonitor record, as RobustReflectionConverter does.</li>
 * </ul>
 * A field the XML leaves out takes its default, on creation as on update (XStream2's
 * "null out" of updateByXml). Build steps other than Shell and parameter definitions other
 * than String/Text/Boolean are refused (500), since the double could not run them.
 */
class ItemXml {
    private static final Logger LOGGER = Logger.getLogger(ItemXml.class.getName())

    /** Where the kept elements of a job live, beside the double's config.json. */
    static final String UNMODELED_FILE = "config-unmodeled.xml"

    /** FreeStyleProject's XStream fields in Jenkins' order (superclass fields first, then declaration order). */
    static final List<String> FIELDS = ["actions", "description", "displayName", "logRotator", "keepDependencies", "properties",
                                        "scm", "scmCheckoutStrategy", "quietPeriod", "scmCheckoutRetryCount", "assignedNode", "canRoam",
                                        "disabled", "blockBuildWhenDownstreamBuilding", "blockBuildWhenUpstreamBuilding", "jdk",
                                        "authToken", "triggers", "concurrentBuild", "customWorkspace", "builders", "publishers",
                                        "buildWrappers"].asImmutable()

    static final Set<String> MODELED = (["description", "displayName", "properties", "quietPeriod", "assignedNode", "canRoam",
                                         "disabled", "concurrentBuild", "builders"] as Set<String>).asImmutable()

    /** What Jenkins writes for a kept field nobody set (a job made by a script, or XML without it). */
    private static final Map<String, Closure> DEFAULTS = [
        actions                         : { XmlCodec.Out o -> o.empty("actions") },
        keepDependencies                : { XmlCodec.Out o -> o.text("keepDependencies", "false") },
        scm                             : { XmlCodec.Out o -> o.empty("scm", [class: "hudson.scm.NullSCM"]) },
        blockBuildWhenDownstreamBuilding: { XmlCodec.Out o -> o.text("blockBuildWhenDownstreamBuilding", "false") },
        blockBuildWhenUpstreamBuilding  : { XmlCodec.Out o -> o.text("blockBuildWhenUpstreamBuilding", "false") },
        triggers                        : { XmlCodec.Out o -> o.empty("triggers") },
        publishers                      : { XmlCodec.Out o -> o.empty("publishers") },
        buildWrappers                   : { XmlCodec.Out o -> o.empty("buildWrappers") },
    ].asImmutable()

    /** Root elements naming a freestyle job (XStream's alias and the class name). */
    static final Set<String> ROOTS = (["project", FreeStyleProject.class.getName()] as Set<String>).asImmutable()

    /** A configuration the double cannot load; served as 500 (Jenkins: a load failure is an IOException). */
    static class Unsupported extends IOException {
        Unsupported(String message) {
            super(message)
        }
    }

    /** A parsed config.xml. */
    static class Config {
        String description
        String displayName
        Integer quietPeriod
        String assignedNode
        boolean canRoam
        boolean disabled
        boolean concurrentBuild
        List<ParameterDefinition> parameters
        final List<Builder> builders = new ArrayList<Builder>()
        final List<Element> kept = new ArrayList<Element>()
        final List<Element> keptProperties = new ArrayList<Element>()
        final List<Throwable> problems = new ArrayList<Throwable>()
    }

    // ---- reading ---------------------------------------------------------------------------

    static Config parse(byte[] xml, String failure) throws IOException {
        Document doc = XmlCodec.parse(xml, failure)
        Element root = doc.getDocumentElement()
        if (!ROOTS.contains(root.getTagName())) {
            throw new Unsupported("Unable to read config.xml: the Jenkins double has no item type <" + root.getTagName()
                    + "> (it loads freestyle jobs, <project>)")
        }
        Config c = new Config()
        for (Element e : XmlCodec.children(root)) {
            String name = e.getTagName()
            switch (name) {
                case "description": c.description = e.getTextContent(); break
                case "displayName": c.displayName = e.getTextContent(); break
                case "assignedNode": c.assignedNode = e.getTextContent(); break
                case "canRoam": c.canRoam = bool(e); break
                case "disabled": c.disabled = bool(e); break
                case "concurrentBuild": c.concurrentBuild = bool(e); break
                case "quietPeriod":
                    try {
                        c.quietPeriod = Integer.valueOf(e.getTextContent().trim())
                    } catch (NumberFormatException ex) {
                        c.problems.add(new IllegalArgumentException("Cannot convert '" + e.getTextContent() + "' of quietPeriod to an Integer", ex))
                    }
                    break
                case "properties": readProperties(e, c); break
                case "builders": readBuilders(e, c); break
                default:
                    if (FIELDS.contains(name)) {
                        c.kept.add(e)
                    } else {
                        c.problems.add(new NoSuchFieldException("No field '" + name + "' found in class '" + FreeStyleProject.class.getName() + "'"))
                    }
            }
        }
        return c
    }

    private static boolean bool(Element e) {
        return "true".equalsIgnoreCase(e.getTextContent().trim())
    }

    private static void readProperties(Element properties, Config c) {
        for (Element p : XmlCodec.children(properties)) {
            if (!ParametersDefinitionProperty.class.getName().equals(p.getTagName())) {
                c.keptProperties.add(p)
                continue
            }
            List<ParameterDefinition> defs = new ArrayList<ParameterDefinition>()
            Element list = XmlCodec.child(p, "parameterDefinitions")
            for (Element d : list == null ? Collections.<Element>emptyList() : XmlCodec.children(list)) {
                defs.add(readParameter(d))
            }
            c.parameters = defs
        }
    }

    private static ParameterDefinition readParameter(Element d) {
        String type = d.getTagName()
        String name = XmlCodec.childText(d, "name")
        if (name == null) {
            throw new Unsupported("Unable to read config.xml: a " + type + " without <name>")
        }
        switch (type) {
            case StringParameterDefinition.class.getName():
            case TextParameterDefinition.class.getName():
                StringParameterDefinition s = type.equals(TextParameterDefinition.class.getName())
                        ? new TextParameterDefinition(name) : new StringParameterDefinition(name)
                s.setDescription(XmlCodec.childText(d, "description"))
                s.setDefaultValue(XmlCodec.childText(d, "defaultValue"))
                s.setTrim("true".equalsIgnoreCase(String.valueOf(XmlCodec.childText(d, "trim")).trim()))
                return s
            case BooleanParameterDefinition.class.getName():
                BooleanParameterDefinition b = new BooleanParameterDefinition(name)
                b.setDescription(XmlCodec.childText(d, "description"))
                b.setDefaultValue("true".equalsIgnoreCase(String.valueOf(XmlCodec.childText(d, "defaultValue")).trim()))
                return b
            default:
                throw new Unsupported("Unable to read config.xml: the Jenkins double supports String, Text and Boolean parameter "
                        + "definitions, not " + type)
        }
    }

    private static void readBuilders(Element builders, Config c) {
        for (Element b : XmlCodec.children(builders)) {
            if (!Shell.class.getName().equals(b.getTagName())) {
                throw new Unsupported("Unable to read config.xml: the Jenkins double runs " + Shell.class.getName()
                        + " build steps only, not " + b.getTagName())
            }
            c.builders.add(new Shell(hudson.Util.fixNull(XmlCodec.childText(b, "command"))))
        }
    }

    private static byte[] bytesOf(Source source) {
        if (source instanceof StreamSource) {
            StreamSource s = (StreamSource) source
            if (s.getInputStream() != null) {
                return s.getInputStream().readAllBytes()
            }
            if (s.getReader() != null) {
                return s.getReader().getText().getBytes("UTF-8")
            }
        }
        throw new IllegalArgumentException("the double reads config.xml from a StreamSource only, not " + source)
    }

    // ---- applying --------------------------------------------------------------------------

    /** Sets every modelled field from the configuration (left-out fields to their defaults). */
    private static void apply(Config c, Project job) {
        Queue.withLock({
            Fields.set(job, "description", c.description)
            Fields.set(job, "displayName", c.displayName)
            Fields.set(job, "quietPeriod", c.quietPeriod)
            Fields.set(job, "assignedNode", c.assignedNode)
            Fields.set(job, "canRoam", c.canRoam)
            Fields.set(job, "disabled", c.disabled)
            Fields.set(job, "concurrentBuild", c.concurrentBuild)
            List<JobProperty> props = new ArrayList<JobProperty>()
            if (c.parameters != null) {
                ParametersDefinitionProperty p = new ParametersDefinitionProperty(c.parameters)
                p.setOwner(job)
                props.add(p)
            }
            List<JobProperty> live = (List<JobProperty>) Fields.get(job, "properties")
            live.clear()
            live.addAll(props)
            List<Builder> steps = (List<Builder>) Fields.get(job.getBuildersList(), "data")
            steps.clear()
            steps.addAll(c.builders)
        } as Runnable)
    }

    private static void writeKept(Config c, File dir) {
        List<Element> kept = new ArrayList<Element>(c.kept)
        Document d = XmlCodec.wrap("project", kept)
        Element props = d.createElement("properties")
        for (Element p : c.keptProperties) {
            props.appendChild(d.importNode(p, true))
        }
        d.getDocumentElement().appendChild(props)
        XmlCodec.write(d, new File(dir, UNMODELED_FILE))
    }

    /**
     * ItemGroupMixIn.createProjectFromXML's loading step: a new freestyle job from XML,
     * saved; its directory is removed again when anything fails. The caller registers it
     * and fires ItemListener.onCreated (no SaveableListener: Jenkins writes the posted file).
     */
    static TopLevelItem load(ItemGroup parent, String name, byte[] xml) throws IOException {
        Config c = parse(xml, "Failed to persist config.xml")
        FreeStyleProject job = new FreeStyleProject(parent, name)
        apply(c, job)
        try {
            JobStore.saveConfig(job)
            writeKept(c, job.getRootDir())
        } catch (IOException | RuntimeException e) {
            job.getRootDir().deleteDir()
            throw e
        }
        report(job, c)
        return job
    }

    /**
     * AbstractItem.updateByXml: the same job object takes the new configuration (its builds
     * stay), is saved (SaveableListener.onChange), then ItemListener.onUpdated fires.
     */
    static void update(AbstractItem item, Source source) throws IOException {
        byte[] xml = bytesOf(source)
        Config c = parse(xml, "Failed to process config.xml")
        if (!(item instanceof FreeStyleProject)) {
            throw new IOException("Expecting " + item.getClass() + " but got " + FreeStyleProject.class + " instead")
        }
        FreeStyleProject job = (FreeStyleProject) item
        apply(c, job)
        writeKept(c, job.getRootDir())
        job.save()
        report(job, c)
        jenkins.model.Jenkins.get().getQueue().scheduleMaintenance()
        ItemListener.fireOnUpdated(job)
    }

    private static void report(Object job, Config c) {
        if (!c.problems.isEmpty()) {
            LOGGER.log(Level.WARNING, "Unreadable data in the config.xml of {0}; dropped: {1}", [job, c.problems] as Object[])
            OldDataMonitor.report(job, c.problems)
        }
    }

    // ---- writing ---------------------------------------------------------------------------

    /** The job's config.xml as Jenkins' XStream writes it from memory. */
    static String write(Project job) {
        Map<String, Element> kept = new HashMap<String, Element>()
        List<Element> keptProperties = new ArrayList<Element>()
        File f = new File(job.getRootDir(), UNMODELED_FILE)
        if (f.exists()) {
            Element root = XmlCodec.parse(f.bytes, "Failed to read " + f).getDocumentElement()
            for (Element e : XmlCodec.children(root)) {
                if (e.getTagName().equals("properties")) {
                    keptProperties.addAll(XmlCodec.children(e))
                } else {
                    kept.put(e.getTagName(), e)
                }
            }
        }
        XmlCodec.Out o = new XmlCodec.Out()
        o.open("project")
        for (String field : FIELDS) {
            switch (field) {
                case "description": o.text("description", job.getDescription()); break
                case "displayName": o.text("displayName", job.getDisplayNameOrNull()); break
                case "quietPeriod": o.text("quietPeriod", Fields.get(job, "quietPeriod")); break
                case "assignedNode": o.text("assignedNode", Fields.get(job, "assignedNode")); break
                case "canRoam": o.text("canRoam", String.valueOf(Fields.get(job, "canRoam"))); break
                case "disabled": o.text("disabled", String.valueOf(job.isDisabled())); break
                case "concurrentBuild": o.text("concurrentBuild", String.valueOf(job.isConcurrentBuild())); break
                case "properties": writeProperties(o, job.getAllProperties(), keptProperties); break
                case "builders": o.list("builders", job.getBuilders(), { XmlCodec.Out out, Builder b -> writeBuilder(out, b) }); break
                default:
                    if (kept.containsKey(field)) {
                        o.element(kept.get(field))
                    } else if (DEFAULTS.containsKey(field)) {
                        DEFAULTS.get(field).call(o)
                    }
            }
        }
        o.close("project")
        return o.toString()
    }

    private static void writeProperties(XmlCodec.Out o, List<JobProperty> properties, List<Element> keptProperties) {
        if (properties.isEmpty() && keptProperties.isEmpty()) {
            o.empty("properties")
            return
        }
        o.open("properties")
        for (JobProperty p : properties) {
            if (p instanceof ParametersDefinitionProperty) {
                o.open(p.getClass().getName())
                o.list("parameterDefinitions", ((ParametersDefinitionProperty) p).getParameterDefinitions(), { XmlCodec.Out out, ParameterDefinition d -> writeParameter(out, d) })
                o.close(p.getClass().getName())
            } else {
                // a property class defined by a script: the double has no XStream to write its fields
                o.empty(p.getClass().getName())
            }
        }
        for (Element e : keptProperties) {
            o.element(e)
        }
        o.close("properties")
    }

    private static void writeParameter(XmlCodec.Out o, ParameterDefinition d) {
        String tag = d.getClass().getName()
        o.open(tag)
        o.text("name", d.getName())
        o.text("description", d.getDescription())
        if (d instanceof StringParameterDefinition) {
            o.text("defaultValue", ((StringParameterDefinition) d).getDefaultValue())
            o.text("trim", String.valueOf(((StringParameterDefinition) d).isTrim()))
        } else if (d instanceof BooleanParameterDefinition) {
            o.text("defaultValue", String.valueOf(((BooleanParameterDefinition) d).isDefaultValue()))
        }
        o.close(tag)
    }

    private static void writeBuilder(XmlCodec.Out o, Builder b) {
        if (b instanceof Shell) {
            o.open(Shell.class.getName())
            o.text("command", ((Shell) b).getCommand())
            o.empty("configuredLocalRules")
            o.close(Shell.class.getName())
        } else {
            // a builder class defined by a script: named, its fields are not written
            o.empty(b.getClass().getName())
        }
    }
}
