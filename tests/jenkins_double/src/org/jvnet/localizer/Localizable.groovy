package org.jvnet.localizer

/**
 * Mirrors org.jvnet.localizer.Localizable (localizer library used by Jenkins core):
 * a message that renders itself with toString(). The double has one locale,
 * so the holder is unused and the key is the text.
 */
class Localizable {
    private final Object holder
    private final String key
    private final Object[] args

    Localizable(Object holder, String key, Object... args) {
        this.holder = holder
        this.key = key
        this.args = args
    }

    String toString(Locale locale) {
        return toString()
    }

    @Override
    String toString() {
        return args ? java.text.MessageFormat.format(key, args) : key
    }
}
