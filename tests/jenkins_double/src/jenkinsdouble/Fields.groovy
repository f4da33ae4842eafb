package jenkinsdouble

import java.lang.reflect.Field

/**
 * Not a Jenkins class: the stores restore model fields that have no public setter (as
 * XStream does in Jenkins), walking the class hierarchy for the declaring class.
 */
class Fields {
    static void set(Object target, String name, Object value) {
        find(target.getClass(), name).set(target, value)
    }

    static Object get(Object target, String name) {
        return find(target.getClass(), name).get(target)
    }

    private static Field find(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name)
                f.setAccessible(true)
                return f
            } catch (NoSuchFieldException ignored) {
                // declared further up
            }
        }
        throw new IllegalArgumentException(c.getName() + " has no field " + name)
    }
}
