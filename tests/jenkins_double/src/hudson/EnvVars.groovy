package hudson

/**
 * Mirrors core/src/main/java/hudson/EnvVars.java: a case-insensitive environment map.
 * override() drops a variable given an empty value and prepends for KEY+SUFFIX;
 * overrideExpandingAll() expands $VAR references against what is already set, in
 * dependency order, which is how Launcher hands a build's variables to a process.
 */
class EnvVars extends TreeMap<String, String> {
    /** The double's own environment, the base every process inherits (EnvVars.masterEnvVars). */
    static final EnvVars masterEnvVars = new EnvVars(System.getenv())

    EnvVars() {
        super(String.CASE_INSENSITIVE_ORDER)
    }

    EnvVars(Map<String, String> m) {
        this()
        putAll(m)
    }

    EnvVars(String... keyValuePairs) {
        this()
        if (keyValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException(Arrays.asList(keyValuePairs).toString())
        }
        for (int i = 0; i < keyValuePairs.length; i += 2) {
            put(keyValuePairs[i], keyValuePairs[i + 1])
        }
    }

    @Override
    String put(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("Null value not allowed as an environment variable: " + key)
        }
        return super.put(key, value)
    }

    void override(String key, String value) {
        if (value == null || value.isEmpty()) {
            remove(key)
            return
        }
        int idx = key.indexOf('+')
        if (idx > 0) {
            String realKey = key.substring(0, idx)
            String v = get(realKey)
            put(realKey, v == null ? value : value + File.pathSeparatorChar + v)
            return
        }
        put(key, value)
    }

    EnvVars overrideAll(Map<String, String> all) {
        for (Map.Entry<String, String> e : all.entrySet()) {
            override(e.getKey(), e.getValue())
        }
        return this
    }

    EnvVars overrideExpandingAll(Map<String, String> all) {
        for (String key : overrideOrder(all)) {
            override(key, expand(all.get(key)))
        }
        return this
    }

    /** A HUDSON_COOKIE with a fresh UUID, used to find a process tree again when killing it. */
    static EnvVars createCookie() {
        return new EnvVars("HUDSON_COOKIE", UUID.randomUUID().toString())
    }

    String expand(String s) {
        return Util.replaceMacro(s, this)
    }

    static void resolve(Map<String, String> env) {
        for (Map.Entry<String, String> entry : env.entrySet()) {
            entry.setValue(Util.replaceMacro(entry.getValue(), env))
        }
    }

    /**
     * Keys of `all` ordered so that a variable comes after those it refers to
     * (Jenkins' OverrideOrderCalculator); KEY+SUFFIX entries last. A reference that
     * closes a cycle is ignored (Jenkins cuts cycles the same way, logging them).
     */
    private List<String> overrideOrder(Map<String, String> all) {
        Map<String, Set<String>> refs = new TreeMap<String, Set<String>>(String.CASE_INSENSITIVE_ORDER)
        List<String> extending = new ArrayList<String>()
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (e.getKey().indexOf('+') > 0) {
                extending.add(e.getKey())
                continue
            }
            Set<String> r = Util.referencedVariables(e.getValue())
            r.remove(e.getKey())
            refs.put(e.getKey(), r)
        }
        List<String> ordered = new ArrayList<String>()
        Set<String> done = new TreeSet<String>(String.CASE_INSENSITIVE_ORDER)
        Set<String> visiting = new TreeSet<String>(String.CASE_INSENSITIVE_ORDER)
        for (String key : refs.keySet()) {
            visit(key, refs, done, visiting, ordered)
        }
        List<String> result = new ArrayList<String>()
        for (String key : ordered) {
            if (all.containsKey(key)) {
                result.add(key)
            }
        }
        result.addAll(extending)
        return result
    }

    private static void visit(String key, Map<String, Set<String>> refs, Set<String> done, Set<String> visiting, List<String> ordered) {
        if (done.contains(key) || visiting.contains(key)) {
            return
        }
        visiting.add(key)
        Set<String> r = refs.get(key)
        if (r != null) {
            for (String referee : r) {
                visit(referee, refs, done, visiting, ordered)
            }
        }
        visiting.remove(key)
        done.add(key)
        ordered.add(key)
    }
}
