package hudson.model.labels

import hudson.model.Label
import hudson.util.QuotedStringTokenizer
import hudson.util.VariableResolver
import jenkins.model.Jenkins

/**
 * Mirrors core/src/main/java/hudson/model/labels/LabelAtom.java: a single label name.
 * Its expression is the name, quoted when the name needs it.
 */
class LabelAtom extends Label {
    LabelAtom(String name) {
        super(name)
    }

    @Override
    String getExpression() {
        return escape(name)
    }

    @Override
    boolean isAtom() { return true }

    @Override
    boolean matches(VariableResolver<Boolean> resolver) {
        return resolver.resolve(name)
    }

    @Override
    public <V, P> V accept(LabelVisitor<V, P> visitor, P param) {
        return visitor.onAtom(this, param)
    }

    @Override
    Set<LabelAtom> listAtoms() {
        return Collections.singleton(this)
    }

    @Override
    LabelOperatorPrecedence precedence() {
        return LabelOperatorPrecedence.ATOM
    }

    static LabelAtom get(String l) {
        return Jenkins.get().getLabelAtom(l)
    }

    /** True when Jenkins.checkGoodName rejects the name or it holds a space, paren, tab or newline. */
    static boolean needsEscape(String name) {
        if (name == null || name.isEmpty() || ".".equals(name.trim()) || "..".equals(name.trim()) || name.trim().endsWith(".")) {
            return true
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i)
            if (Character.isISOControl(ch) || "?*/\\%!@#\$^&|<>[]:;".indexOf((int) ch) >= 0 || " ()\t\n".indexOf((int) ch) >= 0) {
                return true
            }
        }
        return false
    }

    static String escape(String name) {
        return needsEscape(name) ? QuotedStringTokenizer.quote(name) : name
    }
}
