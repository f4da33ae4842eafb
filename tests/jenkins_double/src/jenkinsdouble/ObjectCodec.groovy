package jenkinsdouble

import hudson.model.Item
import hudson.model.Label
import hudson.model.Result
import java.lang.reflect.Array
import java.lang.reflect.Constructor
import java.lang.reflect.Field
import java.lang.reflect.Modifier
import jenkins.model.Jenkins
import sun.reflect.ReflectionFactory

/**
 * Not a Jenkins class: the double's stand-in for XStream. Turns an object graph (actions,
 * causes, parameter values, builders, properties) into JSON-ready maps by reflection on
 * non-transient fields, recording each object's class name, and back. Decoding resolves
 * classes with the double's own class loader only, so a class defined by a posted or init
 * script cannot be read back: that element is dropped and the problem returned, which
 * callers report through OldDataMonitor, as XStream's robust converters do in Jenkins.
 * Items, labels and results are written by reference, as Jenkins' converters do. A class's
 * readResolve() is called on the object read, as XStream does.
 */
class ObjectCodec {
    private static final ClassLoader CORE = ObjectCodec.class.getClassLoader()

    /** Problems found while decoding (unresolvable classes), for OldDataMonitor. */
    final List<Throwable> problems = new ArrayList<Throwable>()

    static Object encode(Object o) {
        return encodeValue(o, new IdentityHashMap<Object, Boolean>())
    }

    private static Object encodeValue(Object o, IdentityHashMap<Object, Boolean> seen) {
        if (o == null) {
            return null
        }
        Class<?> c = o.getClass()
        String cn = c.getName()
        if (o instanceof String || o instanceof Boolean || o instanceof Character) {
            return [class: cn, value: o.toString()]
        }
        if (o instanceof Number) {
            return [class: cn, value: o.toString()]
        }
        if (o instanceof Enum) {
            return [class: ((Enum) o).getDeclaringClass().getName(), enum: ((Enum) o).name()]
        }
        if (o instanceof Result) {
            return [class: cn, value: o.toString()]
        }
        if (o instanceof Label) {
            return [class: Label.class.getName(), label: ((Label) o).getExpression()]
        }
        if (o instanceof Item) {
            return [class: Item.class.getName(), item: ((Item) o).getFullName()]
        }
        if (o instanceof StackTraceElement) {
            StackTraceElement e = (StackTraceElement) o
            return [class: cn, value: [e.getClassName(), e.getMethodName(), e.getFileName(), String.valueOf(e.getLineNumber())]]
        }
        if (seen.containsKey(o)) {
            throw new IllegalStateException("cyclic reference to " + cn + " cannot be persisted")
        }
        seen.put(o, true)
        try {
            if (c.isArray()) {
                List<Object> items = new ArrayList<Object>()
                for (int i = 0; i < Array.getLength(o); i++) {
                    items.add(encodeValue(Array.get(o, i), seen))
                }
                return [class: cn, items: items]
            }
            if (o instanceof Collection) {
                List<Object> items = new ArrayList<Object>()
                for (Object e : (Collection) o) {
                    items.add(encodeValue(e, seen))
                }
                return [class: o instanceof Set ? LinkedHashSet.class.getName() : ArrayList.class.getName(), items: items]
            }
            if (o instanceof Map) {
                List<Object> entries = new ArrayList<Object>()
                for (Map.Entry e : ((Map) o).entrySet()) {
                    entries.add([encodeValue(e.getKey(), seen), encodeValue(e.getValue(), seen)])
                }
                return [class: LinkedHashMap.class.getName(), entries: entries]
            }
            if (cn.startsWith("java.") || cn.startsWith("javax.") || cn.startsWith("sun.") || cn.startsWith("jdk.")) {
                throw new IllegalStateException("the double cannot persist JDK class " + cn)
            }
            List<Object> fields = new ArrayList<Object>()
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int m = f.getModifiers()
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic() || f.getName().contains('$')) {
                        continue
                    }
                    f.setAccessible(true)
                    fields.add([k.getName(), f.getName(), encodeValue(f.get(o), seen)])
                }
            }
            return [class: cn, fields: fields]
        } finally {
            seen.remove(o)
        }
    }

    /** Decodes one encoded value; null (and a recorded problem) when a class cannot be resolved. */
    Object decode(Object node) {
        if (node == null) {
            return null
        }
        Map n = (Map) node
        String cn = (String) n.get("class")
        try {
            return decodeOrThrow(n, cn)
        } catch (ClassNotFoundException e) {
            problems.add(e)
            return null
        }
    }

    private Object decodeOrThrow(Map n, String cn) throws ClassNotFoundException {
        switch (cn) {
            case "java.lang.String": return n.get("value")
            case "java.lang.Boolean": return Boolean.valueOf((String) n.get("value"))
            case "java.lang.Character": return ((String) n.get("value")).charAt(0)
            case "java.lang.Integer": return Integer.valueOf((String) n.get("value"))
            case "java.lang.Long": return Long.valueOf((String) n.get("value"))
            case "java.lang.Short": return Short.valueOf((String) n.get("value"))
            case "java.lang.Byte": return Byte.valueOf((String) n.get("value"))
            case "java.lang.Double": return Double.valueOf((String) n.get("value"))
            case "java.lang.Float": return Float.valueOf((String) n.get("value"))
            case "java.math.BigInteger": return new BigInteger((String) n.get("value"))
            case "java.math.BigDecimal": return new BigDecimal((String) n.get("value"))
            case "hudson.model.Result": return Result.fromString((String) n.get("value"))
            case "hudson.model.Label": return Jenkins.get().getLabel((String) n.get("label"))
            case "hudson.model.Item": return Jenkins.get().getItemByFullName((String) n.get("item"))
            case "java.lang.StackTraceElement":
                List<String> v = (List<String>) n.get("value")
                return new StackTraceElement(v.get(0), v.get(1), v.get(2), Integer.parseInt(v.get(3)))
            case "java.util.ArrayList":
                List<Object> list = new ArrayList<Object>()
                for (Object i : (List) n.get("items")) {
                    Object d = decode(i)
                    if (d != null || i == null) {
                        list.add(d)
                    }
                }
                return list
            case "java.util.LinkedHashSet":
                Set<Object> set = new LinkedHashSet<Object>()
                for (Object i : (List) n.get("items")) {
                    Object d = decode(i)
                    if (d != null) {
                        set.add(d)
                    }
                }
                return set
            case "java.util.LinkedHashMap":
                Map<Object, Object> map = new LinkedHashMap<Object, Object>()
                for (Object e : (List) n.get("entries")) {
                    List pair = (List) e
                    Object k = decode(pair.get(0))
                    if (k != null) {
                        map.put(k, decode(pair.get(1)))
                    }
                }
                return map
        }
        Class<?> c = Class.forName(cn, true, CORE)
        if (n.containsKey("enum")) {
            return Enum.valueOf((Class<Enum>) c, (String) n.get("enum"))
        }
        if (c.isArray()) {
            List items = (List) n.get("items")
            Object array = Array.newInstance(c.getComponentType(), items.size())
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, decode(items.get(i)))
            }
            return array
        }
        Object o = instantiate(c)
        for (Object f : (List) n.get("fields")) {
            List triple = (List) f
            Field field = Class.forName((String) triple.get(0), true, CORE).getDeclaredField((String) triple.get(1))
            field.setAccessible(true)
            Object value = decode(triple.get(2))
            if (value != null || triple.get(2) == null) {
                field.set(o, coerce(value, field.getType()))
            }
        }
        return readResolve(o)
    }

    /**
     * As XStream (and Java serialization): a readResolve() of the class replaces the object
     * read. Statically compiled: a GroovyObjectSupport read without its constructor has no
     * meta class yet, so no dynamic call may touch it before its readResolve restores one.
     */
    @groovy.transform.CompileStatic
    private static Object readResolve(Object o) {
        for (Class<?> k = o.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            java.lang.reflect.Method m
            try {
                m = k.getDeclaredMethod("readResolve")
            } catch (NoSuchMethodException ignored) {
                continue
            }
            m.setAccessible(true)
            return m.invoke(o)
        }
        return o
    }

    /** JSON collections come back as ArrayList/LinkedHashSet/LinkedHashMap; fit them to the field's type. */
    private static Object coerce(Object value, Class<?> type) {
        if (value == null || type.isInstance(value)) {
            return value
        }
        if (value instanceof Collection && Set.class.isAssignableFrom(type)) {
            return SortedSet.class.isAssignableFrom(type) ? new TreeSet<Object>((Collection) value) : new LinkedHashSet<Object>((Collection) value)
        }
        if (value instanceof Collection && List.class.isAssignableFrom(type)) {
            return new ArrayList<Object>((Collection) value)
        }
        return value
    }

    /** Without running a constructor, as XStream does (sun.reflect.ReflectionFactory). */
    private static Object instantiate(Class<?> c) {
        Constructor<?> base = Object.class.getDeclaredConstructor()
        Constructor<?> cons = ReflectionFactory.getReflectionFactory().newConstructorForSerialization(c, base)
        return cons.newInstance()
    }
}
