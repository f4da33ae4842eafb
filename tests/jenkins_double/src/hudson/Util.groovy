package hudson

import java.util.regex.Matcher
import java.util.regex.Pattern

/** Mirrors core/src/main/java/hudson/Util.java, only the helpers the double's model uses. */
class Util {
    /** $NAME, ${NAME} and $$ exactly as Jenkins' VARIABLE pattern. */
    private static final Pattern VARIABLE = Pattern.compile('\\$([A-Za-z0-9_]+|\\{[A-Za-z0-9_.]+\\}|\\$)')

    static String fixNull(String s) { return s == null ? "" : s }

    static String fixEmpty(String s) { return s == null || s.isEmpty() ? null : s }

    static String fixEmptyAndTrim(String s) { return s == null ? null : fixEmpty(s.trim()) }

    /** Replaces $key / ${key} found in the map; unknown names stay as they are; $$ becomes $. */
    static String replaceMacro(String s, Map<String, String> properties) {
        if (s == null) {
            return null
        }
        int idx = 0
        while (true) {
            Matcher m = VARIABLE.matcher(s)
            if (!m.find(idx)) {
                return s
            }
            String key = m.group().substring(1)
            String value
            if (key.charAt(0) == ('$' as char)) {
                value = '$'
            } else {
                if (key.charAt(0) == ('{' as char)) {
                    key = key.substring(1, key.length() - 1)
                }
                value = properties.get(key)
            }
            if (value == null) {
                idx = m.end()
            } else {
                s = s.substring(0, m.start()) + value + s.substring(m.end())
                idx = m.start() + value.length()
            }
        }
    }

    /** The variable names a value refers to (what Jenkins' TraceResolver collects). */
    static Set<String> referencedVariables(String s) {
        Set<String> names = new TreeSet<String>(String.CASE_INSENSITIVE_ORDER)
        Matcher m = VARIABLE.matcher(s)
        while (m.find()) {
            String key = m.group().substring(1)
            if (key.charAt(0) == ('$' as char)) {
                continue
            }
            if (key.charAt(0) == ('{' as char)) {
                key = key.substring(1, key.length() - 1)
            }
            names.add(key)
        }
        return names
    }
}
