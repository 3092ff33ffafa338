"""User query syntax -> a Whoosh query, through the same analyzer as the index.

Syntax: terms are ANDed; ``"exact phrase"`` (also “…” and 「…」); ``a OR b``; ``-term`` or
``NOT term``. Anything else is text: Whoosh's own syntax (``*``, ``field:``, ``^2``, ``[a TO b]``)
means nothing here, so no input can make the parser fail; stray operators and quotes are
dropped with a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from whoosh import query as wq

from indexer.analysis import HAN_RE, TermParts, analyze_term, prepare, run_bigrams
from search_app.widening import (
    ABBREVIATION_BOOST,
    Lexicon,
    Widening,
    abbreviations,
    context_alternatives,
    finer_words,
)

MAX_QUERY_CHARS = 400
MAX_CLAUSES = 24
# Index terms a query may expand to (words, bigrams, letter/digit runs of all its clauses):
# each is a posting list to read, so a long paste is cut here whatever its clause count.
MAX_TERMS = 32
WORD_BOOST = 1.5  # a whole-word match counts more than a bigram-only match
TITLE_BOOST = 0.4
SECTION_BOOST = 0.3
PHRASE_BOOST = 1.0
SINGLE_CHAR_SCORE = 0.5

_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}


class QueryError(ValueError):
    """A query with nothing to search for; the message is for the user."""


@dataclass(frozen=True)
class Clause:
    text: str
    phrase: bool = False
    parts: TermParts | None = None


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of OR-alternatives
    negated: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the terms as typed, each with the groups it became (an unspaced run becomes several):
    # what a partial match counts and names as missing
    typed: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for g in self.groups for c in g]


def _sanitize(q: str) -> tuple[str, list[str]]:
    notes = []
    chars = []
    for ch in q:
        cat = unicodedata.category(ch)
        chars.append(" " if cat in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") else ch)
    q = "".join(chars).replace("\u3000", " ").strip()
    if len(q) > MAX_QUERY_CHARS:
        q = q[:MAX_QUERY_CHARS]
        notes.append(f"query shortened to its first {MAX_QUERY_CHARS} characters")
    return q, notes


def _lex(q: str, notes: list[str]) -> list[tuple[str, str]]:
    """Tokens: ('phrase', text), ('word', text), ('OR',), ('NOT',), ('-',)."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _QUOTES:
            close = _QUOTES[ch]
            j = q.find(close, i + 1) if close != ch else q.find(ch, i + 1)
            if j == -1 and ch == '"':
                j = q.find("”", i + 1)
            if j == -1:
                notes.append("unbalanced quote ignored")
                i += 1
                continue
            out.append(("phrase", q[i + 1 : j]))
            i = j + 1
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] not in _QUOTES:
            j += 1
        word = q[i:j]
        i = j
        if word in ("OR", "|", "||"):
            out.append(("OR", word))
        elif word in ("NOT",):
            out.append(("NOT", word))
        elif word in ("AND", "&&", "+"):
            continue
        elif word.startswith(("-", "－")) and len(word) > 1:
            out.append(("-", ""))
            out.append(("word", word[1:]))
        elif word in ("-", "－"):
            notes.append("a lone '-' was ignored")
        else:
            out.append(("word", word))
    return out


def parse_query(q: str) -> ParsedQuery:
    """Parse user input. Raises QueryError when nothing searchable is left."""
    q, notes = _sanitize(q or "")
    parsed = ParsedQuery(notes=notes)
    pending_not = False
    pending_or = False
    expanded = 0
    for kind, text in _lex(q, notes):
        if kind == "OR":
            pending_or = bool(parsed.groups)
            continue
        if kind in ("NOT", "-"):
            pending_not = True
            continue
        clause = Clause(text, phrase=kind == "phrase", parts=analyze_term(text))
        if not parsed.groups and _term_count(clause.parts) > MAX_TERMS:
            clause = _shortened(clause)
            notes.append(f"{text[:12]!r}… was cut to {clause.text!r}: a query reads at most "
                         f"{MAX_TERMS} index terms")
        if parsed.groups and expanded + _term_count(clause.parts) > MAX_TERMS:
            notes.append(f"the query was cut to its first {MAX_TERMS} index terms "
                         f"(from {text[:20]!r} on, it was ignored)")
            break
        expanded += _term_count(clause.parts)
        if clause.parts.empty:
            if pending_not or pending_or:
                notes.append(f"nothing searchable in {text!r}; ignored")
            pending_not = pending_or = False
            continue
        if pending_not:
            parsed.negated.append(clause)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_not = pending_or = False
        if len(parsed.positive) + len(parsed.negated) >= MAX_CLAUSES:
            notes.append(f"only the first {MAX_CLAUSES} terms were used")
            break
    if not parsed.groups:
        if parsed.negated:
            raise QueryError("a query needs at least one term that is not excluded")
        raise QueryError("type a word or phrase to search for")
    parsed.groups, parsed.typed = _spaced(parsed.groups, notes)
    parsed.notes = list(dict.fromkeys(notes))
    return parsed


def _joined_singles(words: list[str]) -> list[str]:
    """A one-character word joins the word after it (大 + 保护), or the one before at the
    end: a lone character would match almost every unit."""
    out: list[str] = []
    carry = ""
    for w in words:
        if len(w) == 1:
            carry += w
            continue
        out.append(carry + w)
        carry = ""
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


UNSPACED_MIN_CHARS = 6  # 经济增长, 长江大保护 stay one term; 就业帮扶资金, 湖北长江大保护 are several


def _spaced(groups: list[list[Clause]], notes: list[str]
            ) -> tuple[list[list[Clause]], list[tuple[str, list[int]]]]:
    """A long run typed without spaces is read as its words typed apart: each word a term
    of its own (so each may match by document context), adjacency still rewarded by the
    phrase boost and proximity. Returns the groups and, per typed term, its groups."""
    out: list[list[Clause]] = []
    typed: list[tuple[str, list[int]]] = []
    for group in groups:
        typed.append((" OR ".join(c.text for c in group), [len(out)]))
        c = group[0]
        words = list(dict.fromkeys(c.parts.words)) if c.parts else []
        if len(group) > 1 or c.phrase or len(c.parts.text) < UNSPACED_MIN_CHARS or \
                len(words) < 2 or c.parts.alnums or len(c.parts.han_runs) != 1 or \
                "".join(words) != c.parts.text:
            out.append(group)
            continue
        pieces = _joined_singles(words)
        if len(pieces) < 2:
            out.append(group)
            continue
        typed[-1] = (typed[-1][0], list(range(len(out), len(out) + len(pieces))))
        out += [[Clause(w, parts=analyze_term(w))] for w in pieces]
        notes.append(f"{c.text} was read as {' '.join(pieces)}")
    return out, typed


def _term_count(parts: TermParts) -> int:
    """How many index terms a clause reads: its words, its bigrams (or one character), its
    letter/digit runs."""
    return len(set(parts.words)) + sum(max(1, len(r) - 1) for r in parts.han_runs) + \
        len(parts.alnums)


def _shortened(clause: Clause) -> Clause:
    """The longest start of a clause that reads at most MAX_TERMS index terms."""
    text = clause.text[: MAX_TERMS + 1]
    while text:
        parts = analyze_term(text)
        if _term_count(parts) <= MAX_TERMS:
            return Clause(text, clause.phrase, parts)
        text = text[:-1]
    return clause


# ---- Whoosh queries -----------------------------------------------------------------------


def exact_query(parts: TermParts) -> wq.Query | None:
    """Exact match of every Han run (as a phrase of bigrams) and every letter/digit run."""
    subs: list[wq.Query] = []
    for run in parts.han_runs:
        if len(run) == 1:
            # any unit holding the character, unscored (it is in almost every unit for 的)
            subs.append(wq.ConstantScoreQuery(wq.Term("chars", run), score=SINGLE_CHAR_SCORE))
        else:
            grams = run_bigrams(run)
            subs.append(wq.Term("bigrams", grams[0]) if len(grams) == 1
                        else wq.Phrase("bigrams", grams))
    subs.extend(wq.Term("bigrams", a) for a in parts.alnums)
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.And(subs)


def _word_query(word: str, lexicon: Lexicon | None) -> wq.Query:
    """A word, or the finer words inside it all together (``帮扶资金`` or 帮扶 + 资金)."""
    term = wq.Term("words", word)
    pieces = finer_words(word, lexicon) if lexicon is not None else []
    if not pieces:
        return term
    return wq.Or([term, wq.And([wq.Term("words", p) for p in pieces])])


def _words_query(parts: TermParts, lexicon: Lexicon | None = None) -> wq.Query | None:
    if not parts.words:
        return None
    terms = [_word_query(w, lexicon) for w in dict.fromkeys(parts.words)]
    return terms[0] if len(terms) == 1 else wq.And(terms)


def _own_text_query(clause: Clause, lexicon: Lexicon | None = None) -> wq.Query:
    """A clause matches by its words or, whatever jieba did, by its exact characters."""
    parts = clause.parts
    assert parts is not None
    exact = exact_query(parts)
    words = _words_query(parts, lexicon)
    if words is not None:
        words = words.with_boost(WORD_BOOST)
    if clause.phrase:
        if exact is None:
            return words
        return wq.AndMaybe(exact, words) if words is not None else exact
    alternatives = [q for q in (words, exact) if q is not None]
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


def clause_query(clause: Clause, lexicon: Lexicon | None = None,
                 widened: list[Widening] | None = None, context: bool = True) -> wq.Query:
    """A clause's query: its own text; with a lexicon (the searched generation's), also its
    document context (when ``context``) and, for a policy abbreviation, its expansion
    (``widening.py``); each widening used is appended to ``widened``."""
    own = _own_text_query(clause, lexicon)
    if lexicon is None or clause.phrase:
        return own
    parts = clause.parts
    alts, used = context_alternatives(parts.text, parts.words, own, lexicon) if context \
        else ([], [])
    expansion = abbreviations().get(parts.text)
    if expansion:
        terms = [_own_text_query(Clause(t, parts=analyze_term(t))) for t in expansion]
        terms = [t for t in terms if t is not None]
        if terms:
            # any of the things it stands for (三农: 农业, 农村 or 农民), more of them scoring more
            alts.append((terms[0] if len(terms) == 1 else wq.Or(terms))
                        .with_boost(ABBREVIATION_BOOST))
            used.append(Widening(parts.text, "abbreviation", " ".join(expansion), own))
    if widened is not None:
        widened.extend(used)
    return wq.Or([own, *alts]) if alts else own


def _boosts(parsed: ParsedQuery) -> list[wq.Query]:
    words = list(dict.fromkeys(w for c in parsed.positive for w in c.parts.words))
    extra: list[wq.Query] = []
    extra += [wq.Term("title", w, boost=TITLE_BOOST) for w in words]
    extra += [wq.Term("section", w, boost=SECTION_BOOST) for w in words]
    plain = [c for c in parsed.positive if not c.phrase]
    if len(plain) >= 2:
        joined = "".join(c.parts.text for c in plain)
        runs = analyze_term(joined).han_runs
        longest = max(runs, key=len) if runs else ""
        if len(longest) >= 3:
            extra.append(wq.Phrase("bigrams", run_bigrams(longest), boost=PHRASE_BOOST))
    return extra


@dataclass
class BuiltQuery:
    """The Whoosh query of a parsed query, the query of each required group (for partial
    matches) and the widenings used (for the notes)."""

    query: wq.Query
    groups: list[wq.Query]
    widened: list[Widening] = field(default_factory=list)


def build_query(parsed: ParsedQuery, lexicon: Lexicon | None = None,
                plain: bool = False) -> BuiltQuery:
    """The whole query: required clauses, optional boosts, excluded clauses.

    ``lexicon``: the searched generation's, to widen clauses (none: own text only);
    ``plain``: no optional boosts (the plain-BM25 run of the relevance set)."""
    widened: list[Widening] = []
    required = []
    # Document context qualifies a topic (``湖北 长江大保护``): with one term alone it would
    # make every paragraph of every report so titled, placed or dated a hit.
    context = len(parsed.groups) > 1
    for g, group in enumerate(parsed.groups):
        used: list[Widening] = []
        alts = [clause_query(c, lexicon, used, context) for c in group]
        widened += [replace(w, group=g) for w in used]
        required.append(alts[0] if len(alts) == 1 else wq.Or(alts))
    main: wq.Query = required[0] if len(required) == 1 else wq.And(required)
    extra = [] if plain else _boosts(parsed)
    if extra:
        main = wq.AndMaybe(main, wq.Or(extra))
    if parsed.negated:
        # a term excluded is excluded however it matches: NOT x is the complement of x
        main = wq.AndNot(main, wq.Or([clause_query(c, lexicon, context=context)
                                      for c in parsed.negated]))
    return BuiltQuery(main, required, widened)


def to_whoosh(parsed: ParsedQuery) -> wq.Query:
    """The query without widening: what the scoring tests compare with Whoosh."""
    return build_query(parsed).query


def highlight_terms(parsed: ParsedQuery) -> list[str]:
    """Folded strings to mark in a hit, longest first: whole clauses, then their pieces."""
    terms: list[str] = [re.sub(r"\s+", "", prepare(label)) for label, groups in parsed.typed
                        if len(groups) > 1]  # an unspaced run, whole
    for c in parsed.positive:
        p = c.parts
        whole = re.sub(r"\s+", "", p.text)
        if len(whole) >= 1:
            terms.append(whole)
        if not c.phrase:
            terms += [w for w in p.words if (len(w) >= 2 or len(whole) == 1)
                      and (HAN_RE.search(w) or w in p.alnums)]
            terms += [r for r in p.han_runs if len(r) >= 2]
        terms += [a for a in p.alnums if len(a) >= 2]
    return sorted(dict.fromkeys(t for t in terms if t), key=len, reverse=True)
