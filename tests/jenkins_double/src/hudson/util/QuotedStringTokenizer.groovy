package hudson.util

/**
 * Mirrors cli/src/main/java/hudson/util/QuotedStringTokenizer.java, only the static
 * helpers labels need: tokenize (whitespace-separated, '...' and "..." quoting),
 * quote and unquote.
 */
class QuotedStringTokenizer {
    private static final String DELIMITERS = " \t\n\r"
    private static final String ESCAPABLE_CHARS = "\\\"' "

    /** Splits like the tokenizer with default delimiters; quotes group, backslash escapes. */
    static String[] tokenize(String str) {
        List<String> tokens = new ArrayList<String>()
        StringBuilder token = new StringBuilder()
        boolean hasToken = false
        int state = 0 // 0 start/between, 1 token, 2 single quote, 3 double quote
        boolean escape = false
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i)
            if (state == 0 || state == 1) {
                if (escape) {
                    escape = false
                    if (ESCAPABLE_CHARS.indexOf((int) c) < 0) {
                        token.append('\\' as char)
                    }
                    token.append(c)
                    hasToken = true
                } else if (DELIMITERS.indexOf((int) c) >= 0) {
                    if (hasToken) {
                        tokens.add(token.toString())
                        token = new StringBuilder()
                        hasToken = false
                    }
                    state = 0
                } else if (c == ('\'' as char)) {
                    hasToken = true
                    state = 2
                } else if (c == ('"' as char)) {
                    hasToken = true
                    state = 3
                } else if (c == ('\\' as char) && state == 1) {
                    escape = true
                } else {
                    token.append(c)
                    hasToken = true
                    state = 1
                }
            } else {
                char quote = state == 2 ? ('\'' as char) : ('"' as char)
                if (escape) {
                    escape = false
                    if (ESCAPABLE_CHARS.indexOf((int) c) < 0) {
                        token.append('\\' as char)
                    }
                    token.append(c)
                } else if (c == quote) {
                    state = 1
                } else if (c == ('\\' as char)) {
                    escape = true
                } else {
                    token.append(c)
                }
            }
        }
        if (hasToken) {
            tokens.add(token.toString())
        }
        return tokens.toArray(new String[tokens.size()])
    }

    static String quote(String s) {
        if (s == null) {
            return null
        }
        StringBuilder b = new StringBuilder(s.length() + 8)
        b.append('"' as char)
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i)
            switch (c) {
                case '"' as char: b.append('\\"'); break
                case '\\' as char: b.append('\\\\'); break
                case '\n' as char: b.append('\\n'); break
                case '\r' as char: b.append('\\r'); break
                case '\t' as char: b.append('\\t'); break
                case '\f' as char: b.append('\\f'); break
                case '\b' as char: b.append('\\b'); break
                default: b.append(c)
            }
        }
        b.append('"' as char)
        return b.toString()
    }

    static String unquote(String s) {
        if (s == null || s.length() < 2) {
            return s
        }
        char first = s.charAt(0)
        char last = s.charAt(s.length() - 1)
        if (first != last || (first != ('"' as char) && first != ('\'' as char))) {
            return s
        }
        StringBuilder b = new StringBuilder(s.length() - 2)
        boolean escape = false
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i)
            if (escape) {
                escape = false
                switch (c) {
                    case 'n' as char: b.append('\n' as char); break
                    case 'r' as char: b.append('\r' as char); break
                    case 't' as char: b.append('\t' as char); break
                    case 'f' as char: b.append('\f' as char); break
                    case 'b' as char: b.append('\b' as char); break
                    case 'u' as char:
                        if (i + 4 >= s.length() - 1) {
                            throw new IllegalArgumentException("Incomplete Unicode escape sequence in " + s)
                        }
                        b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16))
                        i += 4
                        break
                    default: b.append(c)
                }
            } else if (c == ('\\' as char)) {
                escape = true
            } else {
                b.append(c)
            }
        }
        return b.toString()
    }
}
