"""Jenkins label expressions, parsed and evaluated the way Jenkins does.

Mirrors Jenkins core's ANTLR grammar (core/src/main/antlr4/hudson/model/
labels/LabelExpressionLexer.g4 and LabelExpressionParser.g4), the atom
splitting of ``Label.parse`` (hudson/model/Label.java, QuotedStringTokenizer)
and the fallback of ``Jenkins.getLabel``: an expression that does not parse
is one atom named by the whole text.

Precedence, loosest first: ``<->`` (chains), ``->`` (does not chain),
``||``, ``&&``, ``!`` (applies to an atom or a parenthesised expression only).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Characters that end an unquoted atom (IDENTIFIER_PART in the lexer); '-'
# belongs to an atom unless it starts '->'.
_ATOM_STOP = set("&|!<>() \t\"'")
_UNQUOTE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


class LabelSyntaxError(ValueError):
    """The text is not a label expression (Jenkins then treats it as one atom)."""


@dataclass(frozen=True)
class Atom:
    name: str

    def matches(self, atoms: frozenset[str]) -> bool:
        return self.name in atoms


@dataclass(frozen=True)
class Not:
    operand: Expression

    def matches(self, atoms: frozenset[str]) -> bool:
        return not self.operand.matches(atoms)


@dataclass(frozen=True)
class And:
    left: Expression
    right: Expression

    def matches(self, atoms: frozenset[str]) -> bool:
        return self.left.matches(atoms) and self.right.matches(atoms)


@dataclass(frozen=True)
class Or:
    left: Expression
    right: Expression

    def matches(self, atoms: frozenset[str]) -> bool:
        return self.left.matches(atoms) or self.right.matches(atoms)


@dataclass(frozen=True)
class Implies:
    left: Expression
    right: Expression

    def matches(self, atoms: frozenset[str]) -> bool:
        return not self.left.matches(atoms) or self.right.matches(atoms)


@dataclass(frozen=True)
class Iff:
    left: Expression
    right: Expression

    def matches(self, atoms: frozenset[str]) -> bool:
        return self.left.matches(atoms) == self.right.matches(atoms)


Expression = Atom | Not | And | Or | Implies | Iff


@dataclass(frozen=True)
class Label:
    """A parsed label expression with the atoms it names (``Label.listAtoms()``)."""

    text: str
    expression: Expression
    atoms: frozenset[str]

    def matches(self, node_atoms: frozenset[str]) -> bool:
        return self.expression.matches(node_atoms)


def _unquote(literal: str) -> str:
    """QuotedStringTokenizer.unquote: strip matching outer quotes and resolve escapes."""
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "\"'":
        return literal
    return re.sub(r"\\(.)", lambda m: _UNQUOTE_ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t":
            i += 1
        elif text.startswith("<->", i):
            tokens.append(("IFF", "<->"))
            i += 3
        elif text.startswith("->", i):
            tokens.append(("IMPLIES", "->"))
            i += 2
        elif text.startswith("&&", i):
            tokens.append(("AND", "&&"))
            i += 2
        elif text.startswith("||", i):
            tokens.append(("OR", "||"))
            i += 2
        elif char in "!()":
            tokens.append(({"!": "NOT", "(": "LPAREN", ")": "RPAREN"}[char], char))
            i += 1
        elif char == '"':
            match = re.compile(r'"(?:\\[btnfr"\'\\]|[^\\"\r\n])*"').match(text, i)
            if not match:
                raise LabelSyntaxError(f"unterminated string at {i}")
            tokens.append(("ATOM", _unquote(match.group())))
            i = match.end()
        elif char in _ATOM_STOP:
            raise LabelSyntaxError(f"unexpected {char!r} at {i}")
        else:
            start = i
            while i < len(text) and text[i] not in _ATOM_STOP and not text.startswith("->", i):
                i += 1
            tokens.append(("ATOM", text[start:i]))
    return tokens


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.position = 0
        self.atoms: set[str] = set()

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            found = self.peek() or "end of expression"
            raise LabelSyntaxError(f"expected {kind}, found {found}")
        value = self.tokens[self.position][1]
        self.position += 1
        return value

    def expr(self) -> Expression:
        result = self.term1()
        if self.peek() is not None:
            raise LabelSyntaxError(f"unexpected {self.tokens[self.position][1]!r}")
        return result

    def term1(self) -> Expression:
        result = self.term2()
        while self.peek() == "IFF":
            self.take("IFF")
            result = Iff(result, self.term2())
        return result

    def term2(self) -> Expression:
        result = self.term3()
        if self.peek() == "IMPLIES":
            self.take("IMPLIES")
            result = Implies(result, self.term3())
        return result

    def term3(self) -> Expression:
        result = self.term4()
        while self.peek() == "OR":
            self.take("OR")
            result = Or(result, self.term4())
        return result

    def term4(self) -> Expression:
        result = self.term5()
        while self.peek() == "AND":
            self.take("AND")
            result = And(result, self.term5())
        return result

    def term5(self) -> Expression:
        if self.peek() == "NOT":
            self.take("NOT")
            return Not(self.term6())
        return self.term6()

    def term6(self) -> Expression:
        if self.peek() == "LPAREN":
            self.take("LPAREN")
            inner = self.term1()
            self.take("RPAREN")
            return inner
        name = self.take("ATOM")
        self.atoms.add(name)
        return Atom(name)


def parse_expression(text: str) -> Label:
    """Label.parseExpression: raises LabelSyntaxError when the text does not parse."""
    parser = _Parser(_tokens(text))
    expression = parser.expr()
    return Label(text, expression, frozenset(parser.atoms))


@functools.lru_cache(maxsize=65536)
def get_label(text: str) -> Label:
    """Jenkins.getLabel: an expression, or the whole text as one atom if it does not parse.

    Like Jenkins, first strips one pair of quotes around the whole text.
    """
    text = _unquote(text)
    try:
        return parse_expression(text)
    except LabelSyntaxError:
        return Label(text, Atom(text), frozenset([text]))


def parse_node_labels(label_string: str) -> frozenset[str]:
    """Label.parse: the atoms of a node's whitespace-separated label string (quotes allowed)."""
    atoms = []
    for match in re.finditer(r'"((?:\\.|[^"\\])*)"|(\S+)', label_string or ""):
        atoms.append(_unquote(f'"{match.group(1)}"') if match.group(1) is not None else match.group(2))
    return frozenset(atoms)
