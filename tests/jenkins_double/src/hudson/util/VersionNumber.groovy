package hudson.util

import groovy.transform.CompileStatic

/**
 * Mirrors hudson.util.VersionNumber (jenkinsci/lib-version-number, what
 * Jenkins.getVersion() returns) for plain dotted versions: "2.479.3" < "2.480" <
 * "2.482"; numeric parts compare as numbers, missing parts count as 0, a non-numeric
 * part (a qualifier such as "-SNAPSHOT") sorts before the release. Comparable, equal
 * by value.
 */
@CompileStatic
class VersionNumber implements Comparable<VersionNumber> {
    private final String value
    private final List<Object> items = new ArrayList<Object>()

    VersionNumber(String version) {
        if (version == null || version.trim().isEmpty()) {
            throw new IllegalArgumentException("no version given")
        }
        this.value = version.trim()
        for (String part : value.split("[.-]")) {
            items.add(part.matches("\\d+") ? (Object) new BigInteger(part) : (Object) part)
        }
        while (items.size() > 1 && BigInteger.ZERO.equals(items.get(items.size() - 1))) {
            items.remove(items.size() - 1)
        }
    }

    int compareTo(VersionNumber that) {
        int n = Math.max(items.size(), that.items.size())
        for (int i = 0; i < n; i++) {
            Object a = i < items.size() ? items.get(i) : (Object) BigInteger.ZERO
            Object b = i < that.items.size() ? that.items.get(i) : (Object) BigInteger.ZERO
            int c
            if (a instanceof BigInteger && b instanceof BigInteger) {
                c = ((BigInteger) a).compareTo((BigInteger) b)
            } else if (a instanceof BigInteger) {
                c = 1
            } else if (b instanceof BigInteger) {
                c = -1
            } else {
                c = ((String) a).compareTo((String) b)
            }
            if (c != 0) {
                return c
            }
        }
        return 0
    }

    boolean isOlderThan(VersionNumber rhs) {
        return compareTo(rhs) < 0
    }

    boolean isOlderThanOrEqualTo(VersionNumber rhs) {
        return compareTo(rhs) <= 0
    }

    boolean isNewerThan(VersionNumber rhs) {
        return compareTo(rhs) > 0
    }

    boolean isNewerThanOrEqualTo(VersionNumber rhs) {
        return compareTo(rhs) >= 0
    }

    /** The i-th numeric part (0-based), or -1 when there is none. */
    int getDigitAt(int idx) {
        if (idx < 0 || idx >= items.size() || !(items.get(idx) instanceof BigInteger)) {
            return -1
        }
        return ((BigInteger) items.get(idx)).intValue()
    }

    @Override
    boolean equals(Object o) {
        return o instanceof VersionNumber && compareTo((VersionNumber) o) == 0
    }

    @Override
    int hashCode() {
        return items.hashCode()
    }

    @Override
    String toString() {
        return value
    }
}
