package hudson.model.labels

/** Mirrors core/src/main/java/hudson/model/labels/LabelOperatorPrecedence.java, tightest first. */
enum LabelOperatorPrecedence {
    ATOM(null), NOT("!"), AND("&&"), OR("||"), IMPLIES("->"), IFF("<->")

    final String str

    LabelOperatorPrecedence(String str) {
        this.str = str
    }
}
