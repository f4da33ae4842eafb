package hudson.model.labels

/** Mirrors core/src/main/java/hudson/model/labels/LabelVisitor.java. */
abstract class LabelVisitor<V, P> {
    abstract V onAtom(LabelAtom a, P param)
    abstract V onParen(LabelExpression.Paren p, P param)
    abstract V onNot(LabelExpression.Not p, P param)
    abstract V onAnd(LabelExpression.And p, P param)
    abstract V onOr(LabelExpression.Or p, P param)
    abstract V onIff(LabelExpression.Iff p, P param)
    abstract V onImplies(LabelExpression.Implies p, P param)
}
