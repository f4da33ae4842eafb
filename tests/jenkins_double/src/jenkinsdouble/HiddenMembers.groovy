package jenkinsdouble

import groovy.transform.CompileStatic
import org.codehaus.groovy.runtime.callsite.CallSite
import org.codehaus.groovy.runtime.callsite.PogoMetaClassSite
import org.codehaus.groovy.runtime.callsite.PojoMetaClassSite

/**
 * Not a Jenkins class: makes members the impersonated Jenkins version does not have
 * absent for scripts. The double's classes carry the newest API; at boot, for an older
 * --jenkins-version, this installs a MetaClass creation handle so that every class
 * assignable to a listed type (subclasses a script defines included) gets a MetaClass
 * that hides the listed methods and properties (unless a script's own class declares
 * one of that name itself: that one is the script's and stays): calling one throws
 * groovy.lang.MissingMethodException (MissingPropertyException for a property), and
 * respondsTo / getMetaMethod / pickMethod / getMethods / hasProperty do not list it, as
 * on a Jenkins without the method. Java reflection still sees the method (documented).
 * The double's own code never calls a hidden member.
 */
@CompileStatic
class HiddenMembers {
    /** Type -> names of methods and properties to hide. */
    private final Map<Class<?>, Set<String>> hidden = new LinkedHashMap<Class<?>, Set<String>>()

    HiddenMembers hide(Class<?> type, String... names) {
        Set<String> s = hidden.get(type)
        if (s == null) {
            s = new HashSet<String>()
            hidden.put(type, s)
        }
        s.addAll(Arrays.asList(names))
        return this
    }

    boolean isEmpty() {
        return hidden.isEmpty()
    }

    /** Must run before any instance of a listed type exists (Groovy objects keep the MetaClass they were created with). */
    void install() {
        if (hidden.isEmpty()) {
            return
        }
        GroovySystem.getMetaClassRegistry().setMetaClassCreationHandle(new Handle(hidden))
    }

    private static class Handle extends MetaClassRegistry.MetaClassCreationHandle {
        private final Map<Class<?>, Set<String>> hidden

        Handle(Map<Class<?>, Set<String>> hidden) {
            this.hidden = hidden
        }

        @Override
        protected MetaClass createNormalMetaClass(Class theClass, MetaClassRegistry registry) {
            Set<String> names = null
            for (Map.Entry<Class<?>, Set<String>> e : hidden.entrySet()) {
                if (e.getKey().isAssignableFrom(theClass)) {
                    for (String name : e.getValue()) {
                        if (!declaredByScript(theClass, e.getKey(), name)) {
                            if (names == null) {
                                names = new HashSet<String>()
                            }
                            names.add(name)
                        }
                    }
                }
            }
            return names == null ? super.createNormalMetaClass(theClass, registry) : (MetaClass) new HidingMetaClass(registry, theClass, names)
        }

        /**
         * Whether a class between theClass and the listed type that is not the double's own
         * (a script's) declares the member itself: then it is the script's, and stays.
         */
        private static boolean declaredByScript(Class theClass, Class<?> base, String name) {
            String cap = name.isEmpty() ? name : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1)
            Set<String> methodNames = new HashSet<String>([name, "get" + cap, "set" + cap, "is" + cap])
            for (Class k = theClass; k != null && !k.is(base); k = k.getSuperclass()) {
                if (k.getClassLoader().is(HiddenMembers.class.getClassLoader())) {
                    continue
                }
                for (java.lang.reflect.Method m : k.getDeclaredMethods()) {
                    if (methodNames.contains(m.getName())) {
                        return true
                    }
                }
            }
            return false
        }
    }

    /** A MetaClassImpl for which the hidden names do not exist. */
    static class HidingMetaClass extends MetaClassImpl {
        private final Set<String> names

        HidingMetaClass(MetaClassRegistry registry, Class theClass, Set<String> names) {
            super(registry, theClass)
            this.names = names
        }

        private boolean isHidden(String name) {
            return names.contains(name)
        }

        @Override
        Object invokeMethod(Class sender, Object object, String methodName, Object[] arguments, boolean isCallToSuper, boolean fromInsideClass) {
            if (isHidden(methodName)) {
                throw new MissingMethodException(methodName, theClass, arguments)
            }
            return super.invokeMethod(sender, object, methodName, arguments, isCallToSuper, fromInsideClass)
        }

        @Override
        MetaMethod getMetaMethod(String name, Object[] argTypes) {
            return isHidden(name) ? null : super.getMetaMethod(name, argTypes)
        }

        @Override
        MetaMethod pickMethod(String methodName, Class[] arguments) {
            return isHidden(methodName) ? null : super.pickMethod(methodName, arguments)
        }

        @Override
        MetaMethod getMethodWithCaching(Class sender, String methodName, Object[] arguments, boolean isCallToSuper) {
            return isHidden(methodName) ? null : super.getMethodWithCaching(sender, methodName, arguments, isCallToSuper)
        }

        @Override
        List respondsTo(Object obj, String name, Object[] argTypes) {
            return isHidden(name) ? Collections.emptyList() : super.respondsTo(obj, name, argTypes)
        }

        @Override
        List respondsTo(Object obj, String name) {
            return isHidden(name) ? Collections.emptyList() : super.respondsTo(obj, name)
        }

        @Override
        List<MetaMethod> getMethods() {
            List<MetaMethod> r = new ArrayList<MetaMethod>()
            for (MetaMethod m : super.getMethods()) {
                if (!isHidden(m.getName())) {
                    r.add(m)
                }
            }
            return r
        }

        @Override
        List<MetaMethod> getMetaMethods() {
            List<MetaMethod> r = new ArrayList<MetaMethod>()
            for (MetaMethod m : super.getMetaMethods()) {
                if (!isHidden(m.getName())) {
                    r.add(m)
                }
            }
            return r
        }

        @Override
        MetaProperty getMetaProperty(String name) {
            return isHidden(name) ? null : super.getMetaProperty(name)
        }

        @Override
        MetaProperty hasProperty(Object obj, String name) {
            return isHidden(name) ? null : super.hasProperty(obj, name)
        }

        @Override
        List<MetaProperty> getProperties() {
            List<MetaProperty> r = new ArrayList<MetaProperty>()
            for (MetaProperty p : super.getProperties()) {
                if (!isHidden(p.getName())) {
                    r.add(p)
                }
            }
            return r
        }

        @Override
        Object getProperty(Class sender, Object object, String name, boolean useSuper, boolean fromInsideClass) {
            if (isHidden(name)) {
                throw new MissingPropertyException(name, theClass)
            }
            return super.getProperty(sender, object, name, useSuper, fromInsideClass)
        }

        @Override
        void setProperty(Class sender, Object object, String name, Object newValue, boolean useSuper, boolean fromInsideClass) {
            if (isHidden(name)) {
                throw new MissingPropertyException(name, theClass)
            }
            super.setProperty(sender, object, name, newValue, useSuper, fromInsideClass)
        }

        @Override
        CallSite createPogoCallSite(CallSite site, Object[] args) {
            return isHidden(site.getName()) ? (CallSite) new PogoMetaClassSite(site, this) : super.createPogoCallSite(site, args)
        }

        @Override
        CallSite createPogoCallCurrentSite(CallSite site, Class sender, Object[] args) {
            return isHidden(site.getName()) ? (CallSite) new PogoMetaClassSite(site, this) : super.createPogoCallCurrentSite(site, sender, args)
        }

        @Override
        CallSite createPojoCallSite(CallSite site, Object receiver, Object[] args) {
            return isHidden(site.getName()) ? (CallSite) new PojoMetaClassSite(site, this) : super.createPojoCallSite(site, receiver, args)
        }
    }
}
