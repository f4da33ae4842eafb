package hudson.model.labels

import hudson.model.Label
import hudson.util.VariableResolver

/**
 * Mirrors core/src/main/java/hudson/model/labels/LabelExpression.java: the composite
 * labels. Each one's name is its expression, with parentheses added only where the
 * operator precedence needs them, so "a&&b" and "a && b" name the same label.
 */
abstract class LabelExpression extends Label {
    protected LabelExpression(String name) {
        super(name)
    }

    @Override
    String getExpression() {
        return getDisplayName()
    }

    static String paren(LabelOperatorPrecedence op, Label l) {
        if (op.compareTo(l.precedence()) < 0) {
            return '(' + l.getExpression() + ')'
        }
        return l.getExpression()
    }

    static class Not extends LabelExpression {
        final Label base

        Not(Label base) {
            super('!' + paren(LabelOperatorPrecedence.NOT, base))
            this.base = base
        }

        @Override
        boolean matches(VariableResolver<Boolean> resolver) { return !base.matches(resolver) }

        @Override
        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onNot(this, param) }

        @Override
        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.NOT }
    }

    /** Explicit parentheses written by the user, kept in the expression. */
    static class Paren extends LabelExpression {
        final Label base

        Paren(Label base) {
            super('(' + base.getExpression() + ')')
            this.base = base
        }

        @Override
        boolean matches(VariableResolver<Boolean> resolver) { return base.matches(resolver) }

        @Override
        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onParen(this, param) }

        @Override
        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.ATOM }
    }

    abstract static class Binary extends LabelExpression {
        final Label lhs
        final Label rhs

        protected Binary(Label lhs, Label rhs, LabelOperatorPrecedence op) {
            super(paren(op, lhs) + op.str + paren(op, rhs))
            this.lhs = lhs
            this.rhs = rhs
        }

        @Override
        boolean matches(VariableResolver<Boolean> resolver) {
            return op(lhs.matches(resolver), rhs.matches(resolver))
        }

        protected abstract boolean op(boolean a, boolean b)
    }

    static final class And extends Binary {
        And(Label lhs, Label rhs) { super(lhs, rhs, LabelOperatorPrecedence.AND) }

        protected boolean op(boolean a, boolean b) { return a && b }

        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onAnd(this, param) }

        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.AND }
    }

    static final class Or extends Binary {
        Or(Label lhs, Label rhs) { super(lhs, rhs, LabelOperatorPrecedence.OR) }

        protected boolean op(boolean a, boolean b) { return a || b }

        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onOr(this, param) }

        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.OR }
    }

    static final class Iff extends Binary {
        Iff(Label lhs, Label rhs) { super(lhs, rhs, LabelOperatorPrecedence.IFF) }

        protected boolean op(boolean a, boolean b) { return a == b }

        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onIff(this, param) }

        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.IFF }
    }

    static final class Implies extends Binary {
        Implies(Label lhs, Label rhs) { super(lhs, rhs, LabelOperatorPrecedence.IMPLIES) }

        protected boolean op(boolean a, boolean b) { return !a || b }

        public <V, P> V accept(LabelVisitor<V, P> visitor, P param) { return visitor.onImplies(this, param) }

        LabelOperatorPrecedence precedence() { return LabelOperatorPrecedence.IMPLIES }
    }
}
