package hudson.model.labels

import hudson.model.Label
import hudson.util.QuotedStringTokenizer

/**
 * Mirrors the ANTLR grammar core/src/main/antlr4/hudson/model/labels/LabelExpressionLexer.g4
 * and LabelExpressionParser.g4 (Jenkins generates its parser from them; the double
 * hand-writes the same grammar). Precedence, loosest first: <-> (left-associative),
 * -> (not chainable), ||, &&, ! (applies to one atom or parenthesised group, no !!).
 * An atom is a run of characters other than & | ! < > ( ) space tab " ' and '-',
 * where '-' is allowed unless it starts "->". Quoted atoms use "..." with backslash
 * escapes. Syntax errors raise IllegalArgumentException, as Jenkins' error listener does.
 */
class LabelExpressionParser {
    private enum Kind { AND, OR, NOT, IMPLIES, IFF, LPAREN, RPAREN, ATOM, STRING, EOF }

    private static class Token {
        final Kind kind
        final String text
        final int position

        Token(Kind kind, String text, int position) {
            this.kind = kind
            this.text = text
            this.position = position
        }
    }

    private final String input
    private final List<Token> tokens
    private int next = 0

    LabelExpressionParser(String input) {
        this.input = input
        this.tokens = lex(input)
    }

    Label parse() {
        Label l = term1()
        expect(Kind.EOF)
        return l
    }

    private Label term1() {
        Label l = term2()
        while (peek().kind == Kind.IFF) {
            next++
            l = l.iff(term2())
        }
        return l
    }

    private Label term2() {
        Label l = term3()
        if (peek().kind == Kind.IMPLIES) {
            next++
            l = l.implies(term3())
        }
        return l
    }

    private Label term3() {
        Label l = term4()
        while (peek().kind == Kind.OR) {
            next++
            l = l.or(term4())
        }
        return l
    }

    private Label term4() {
        Label l = term5()
        while (peek().kind == Kind.AND) {
            next++
            l = l.and(term5())
        }
        return l
    }

    private Label term5() {
        if (peek().kind == Kind.NOT) {
            next++
            return term6().not()
        }
        return term6()
    }

    private Label term6() {
        Token t = peek()
        switch (t.kind) {
            case Kind.LPAREN:
                next++
                Label inner = term1()
                expect(Kind.RPAREN)
                return inner.paren()
            case Kind.ATOM:
                next++
                return LabelAtom.get(t.text)
            case Kind.STRING:
                next++
                return LabelAtom.get(QuotedStringTokenizer.unquote(t.text))
            default:
                throw error(t, "no viable alternative at input '" + describe(t) + "'")
        }
    }

    private Token peek() {
        return tokens.get(next)
    }

    private void expect(Kind kind) {
        Token t = peek()
        if (t.kind != kind) {
            throw error(t, "extraneous input '" + describe(t) + "' expecting " + kind)
        }
        next++
    }

    private static String describe(Token t) {
        return t.kind == Kind.EOF ? "<EOF>" : t.text
    }

    private IllegalArgumentException error(Token t, String message) {
        return new IllegalArgumentException("line 1:" + t.position + " " + message + " in label expression '" + input + "'")
    }

    private static boolean isIdentifierPart(char c) {
        return "&|!<>() \t\"'-".indexOf((int) c) < 0
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<Token>()
        int i = 0
        while (i < s.length()) {
            char c = s.charAt(i)
            if (c == (' ' as char) || c == ('\t' as char)) {
                i++
            } else if (s.startsWith("&&", i)) {
                out.add(new Token(Kind.AND, "&&", i)); i += 2
            } else if (s.startsWith("||", i)) {
                out.add(new Token(Kind.OR, "||", i)); i += 2
            } else if (s.startsWith("<->", i)) {
                out.add(new Token(Kind.IFF, "<->", i)); i += 3
            } else if (s.startsWith("->", i)) {
                out.add(new Token(Kind.IMPLIES, "->", i)); i += 2
            } else if (c == ('!' as char)) {
                out.add(new Token(Kind.NOT, "!", i)); i++
            } else if (c == ('(' as char)) {
                out.add(new Token(Kind.LPAREN, "(", i)); i++
            } else if (c == (')' as char)) {
                out.add(new Token(Kind.RPAREN, ")", i)); i++
            } else if (c == ('"' as char)) {
                int end = i + 1
                boolean closed = false
                while (end < s.length()) {
                    char d = s.charAt(end)
                    if (d == ('\\' as char) && end + 1 < s.length() && "btnfr\"'\\".indexOf((int) s.charAt(end + 1)) >= 0) {
                        end += 2
                    } else if (d == ('"' as char)) {
                        closed = true
                        break
                    } else if (d == ('\\' as char) || d == ('\r' as char) || d == ('\n' as char)) {
                        break
                    } else {
                        end++
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("line 1:" + i + " token recognition error at: '" + s.substring(i) + "' in label expression '" + s + "'")
                }
                out.add(new Token(Kind.STRING, s.substring(i, end + 1), i))
                i = end + 1
            } else if (isIdentifierPart(c) || (c == ('-' as char) && !s.startsWith("->", i))) {
                int start = i
                while (i < s.length()) {
                    char d = s.charAt(i)
                    if (isIdentifierPart(d) || (d == ('-' as char) && !s.startsWith("->", i))) {
                        i++
                    } else {
                        break
                    }
                }
                out.add(new Token(Kind.ATOM, s.substring(start, i), start))
            } else {
                throw new IllegalArgumentException("line 1:" + i + " token recognition error at: '" + c + "' in label expression '" + s + "'")
            }
        }
        out.add(new Token(Kind.EOF, "", s.length()))
        return out
    }
}
