"""R8 and R9 (followup-rules.md): which events are the user's own job interviews, with a reason.

Pure word rules, explainable: `classify` says why an event was taken or skipped (shown by `-v`).
A keyword in SUMMARY or CATEGORIES (so the fast scan, which selects by the same keywords, never
misses one), and nothing saying it is something else: preparation, someone else's hiring, an
interview that is not a job interview, an event about interviews, a standing meeting.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from followcal.config import DEFAULT_EXCLUDE, DEFAULT_KEYWORDS, RuleSettings
from followcal.core.companies import looks_like_role
from followcal.core.hints import _email
from followcal.core.model import Person, SourceEvent

_INFLECTIONS = ("", "s", "es", "d", "ed", "ing", "ping", "ped", "aration", "arations", "are",
                "ared", "aring")


def _word_pattern(word: str) -> str:
    """A whole-word match, also for inflections: "prep" excludes "prepping" and "preparation",
    "mock" excludes "mocks", "practice" excludes "practicing"/"practise"; "Mockingbird" or
    "Prepaid" (a company) is not excluded."""
    if word.endswith(("ce", "se")):
        stem = re.escape(word[:-2]) + "[cs]e?"  # practice, practise, practicing
    else:
        stem = re.escape(word[:-1]) + "e?" if word.endswith("e") else re.escape(word)
    suffixes = "|".join(sorted(_INFLECTIONS, key=len, reverse=True))
    return rf"(?<!\w){stem}(?:{suffixes})(?!\w)"


def _stem(word: str) -> str:
    """The part every inflection of `word` starts with (see _word_pattern)."""
    return word[:-2] if word.endswith(("ce", "se")) else word[:-1] if word.endswith("e") else word


@lru_cache(maxsize=16)
def _exclusions(words: tuple[str, ...]) -> tuple[tuple[str, str, _LazyPattern], ...]:
    """(word, its stem, its pattern) for the exclude list: a stem that is not a substring of the
    text rules the word out without a regex, so an event costs one substring test per word and
    a search only where a stem occurs (and no large alternation is compiled at each start)."""
    return tuple((w, _stem(w.casefold().strip()), _LazyPattern(_word_pattern(w.casefold().strip())))
                 for w in words if w.strip())


class _LazyPattern:
    """A pattern compiled at its first search (most exclusion words never get that far), then
    searched without re's cache lookup."""

    __slots__ = ("compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> bool:
        if self.compiled is None:
            self.compiled = re.compile(self.source)
        return self.compiled.search(text) is not None


def _excluded_by(text: str, words: tuple[str, ...]) -> str | None:
    """The first word of `words` (in order) that `text` (case-folded) holds, or None."""
    return next((word for word, stem, pattern in _exclusions(words) if stem in text and pattern.search(text)), None)


# Compound words hide an exclusion inside one word (Bewerbungstraining, Probeinterview,
# oefengesprek, simulación, 模擬面接): with the default lists these are searched as substrings.
_COMPOUND_EXCLUDE = (
    "training", "oefen", "probeinterview", "probegespräch", "exitinterview", "exitgesprek",
    "vorbereitung", "voorbereiding", "simula", "prepara", "prépara", "workshop", "webinar", "seminar",
    "podcast", "debrief", "scorecard", "練習", "模擬", "対策", "準備", "面接官", "研修", "セミナー",
    "トレーニング", "説明会",
    # issue 12 (blind corpus): reviews, press compounds, candidates, visas, schools, retros
    "mitarbeitergespräch", "jahresgespräch", "functionering", "beoordeling", "zeitung", "krant",
    "blatt", "kandida", "候補者", "大使館", "領事館", "ビザ", "幼稚園", "保育園", "入園", "入学",
    "振り返り", "定例", "評価", "取材",
)
# the description of an interviewer's invite: the kit, the scorecard, the feedback to submit
_INTERVIEWER_SIDE = re.compile(
    r"interview kit|scorecard|you(?:'ve| have) been (?:scheduled|asked) to interview\b|"
    r"you are on the panel|your role on the panel|submit (?:your )?feedback|"
    r"(?:feedback|rubric) (?:in|on|to) (?:ashby|greenhouse|lever|goodtime|workday)|"
    r"bewertungsbogen|評価シート|面接官\s*[:：]|interviewer (?:instructions|guide|briefing)|"
    r"\w's (?:resume|cv|résumé) is attached|you are interviewing|leave your (?:notes|feedback)",
    re.I)
# a meeting about the hiring process: "Interview loop sync", "Hiring team weekly"
_ABOUT_HIRING = re.compile(
    r"\b(?:interview(?:ing)?|hiring|recruiting|screen(?:ing)?)(?:\s+(?:loop|process|panel|pipeline|team|plan))?"
    r"\s+(?:sync|stand-?up|calibration|planning|retro|triage|huddle|weekly|kick-?off|check-?in|"
    r"review)\b", re.I)
# an interview about a topic is press or research, not hiring ("... over remote werken"); not
# "about the Backend role", "over Zoom", "over coffee"
_TOPIC = re.compile(
    r"\b(?:interview\w*|entretien|entrevista|colloquio|intervista|gespräch)\b.*?\s"
    r"(?:about|über|sur|sobre|over)\s+(?!(?:zoom|teams|skype|video|the phone|phone|telefon|"
    r"google|coffee|lunch|dinner|drinks|breakfast)\b)(?P<tail>\w.*)", re.I)
_JOB_WORD = re.compile(r"\b(?:role|position|job|vacancy|vacature|functie|rol|poste?|site|place|"
                       r"stelle|puesto|vaga|posizione|opportunit\w*|oportunidad\w*|opening)\b", re.I)
# an organizer that is a newsroom or a show: "Radio France", "Redaktion Wirtschaft"
_MEDIA_ORGANIZER = re.compile(
    r"\b(?:radio|tv|podcast|press|presse|newspaper|magazine?|zeitung|redaktion|rédaction|"
    r"redacción|redação|redactie|redazione)\b", re.I)
# keywords that also name things other than interviews; they need company or interview context
_ONSITE = ("onsite", "on-site")
_NOT_ONSITE = re.compile(
    r"\b(?:team|planning|support|engineering|company|offsite|presentation|all[- ]hands|visit|"
    r"customer|client|summit|kick-?off|retreat|install\w*|maintenance|movie|night|party|"
    r"off-?site|department|quarterly|annual|hackathon|kitchen|plumber|electrician|fitter|repair|"
    r"delivery|boiler)\b", re.I)
_ROUND = ("final round", "coding round", "technical round")
_NOT_ROUND = re.compile(r"\bround\s+of\b|\b(?:golf|budget|funding|voting|tournament|playoffs?|"
                        r"drinks|poker|boxing|trivia|quiz|night)\b", re.I)
# "Interview a contractor", "Interview candidates": the user is the one interviewing
_INTERVIEW_VERB = re.compile(r"^\s*interview(?:ing)?\s+(?:a|an|two|three|some|new|candidates?)\b"
                             r"|^\s*interviewing\s*:", re.I)
_HIRING_MANAGER_CONTEXT = re.compile(
    r"\b(?:interview|screen|screening|call|chat|conversation|round|entrevista|entretien|"
    r"gespräch|colloquio)\b", re.I)
_STRONG = re.compile(r"interview|entretien|entrevista|gespräch|gespraech|sollicitatie|colloquio|"
                     r"面接|superday", re.I)
_STAGE_DEBRIEF = re.compile(r"\b(?:take[- ]?home|case[- ]study|assignment|homework)\s+debrief\b"
                            r"|\bclass\s+of\s+'?\d{2,4}\b")  # "Class of 2027 intern interview"
_STANDING = re.compile(r"\b(?:sync|stand-?up|1:1|1on1|one-on-one|check-?in|office hours|triage|"
                       r"weekly|bi-?weekly|retro|backlog|huddle|catch-?up)\b", re.I)
_CANDIDATE_LINE = re.compile(r"^[ \t*\-\u2022]*(?:candidate|candidat|kandidat|candidato|candidata)"
                             r"(?:\s+name)?\s*:", re.I | re.M)


def classify(event: SourceEvent, rules: RuleSettings) -> tuple[bool, str]:
    """R9 with its reason: (taken, why). A keyword in SUMMARY or CATEGORIES (substring, so the
    fast scan selects every event taken here) and nothing saying it is something else: an
    exclusion word, a compound holding one (default lists), a keyword that needs context and has
    none (a team onsite, a golf final round, a weekly hiring-manager sync), a standing series
    with no interview word, or a description naming the candidate (someone else's interview).
    The DESCRIPTION is not searched for exclusion words: real invitations say "please prepare"."""
    key = (event.summary, event.categories, event.description, event.organizer)
    try:
        return _classify_cached(key, rules)
    except TypeError:  # something unhashable (rules built with lists): not cached
        return _classify(event, rules)


@lru_cache(maxsize=8192)
def _classify_cached(key: tuple[object, ...], rules: RuleSettings) -> tuple[bool, str]:
    """classify is pure in these four fields: a calendar repeats its titles (series, copies)."""
    summary, categories, description, organizer = key
    return _classify(_Fields(summary, categories, description, organizer), rules)  # type: ignore[arg-type]


class _Fields(NamedTuple):
    summary: str
    categories: tuple[str, ...]
    description: str
    organizer: Person | None


def _classify(event: SourceEvent | _Fields, rules: RuleSettings) -> tuple[bool, str]:
    texts = [event.summary or "", *(event.categories or ())]
    haystack = "\n".join(texts).casefold()
    hits = [k.casefold() for k in rules.keywords if k.strip() and k.casefold() in haystack]
    if not hits:
        return False, "no interview keyword in the title or categories"
    # a take-home debrief is an interview stage, not a hiring team's; a graduating class is no class
    checked = _STAGE_DEBRIEF.sub(" ", haystack) if rules.exclude == DEFAULT_EXCLUDE else haystack
    word = _excluded_by(checked, tuple(rules.exclude))
    if word is not None:
        return False, f"{word!r} says it is not the user's job interview"
    if rules.exclude != DEFAULT_EXCLUDE or rules.keywords != DEFAULT_KEYWORDS:
        return True, f"keyword {hits[0]!r}"
    for part in _COMPOUND_EXCLUDE:
        if part in checked:
            return False, f"{part!r} says it is not the user's job interview"
    if _CANDIDATE_LINE.search(event.description or ""):
        return False, "the description names a candidate: someone else's interview"
    if _INTERVIEWER_SIDE.search(event.description or ""):
        return False, "the description is an interviewer's (kit, scorecard, feedback)"
    if _ABOUT_HIRING.search(haystack):
        return False, "a meeting about the hiring process"
    if (m := _TOPIC.search(event.summary or "")) and not (
            _JOB_WORD.search(m.group("tail")) or looks_like_role(m.group("tail"))):
        return False, "an interview about a topic: press or research"
    if _media_organizer(event.organizer) and not looks_like_role(event.summary):
        return False, "organized by a newsroom or a show, no role named: press"
    if _INTERVIEW_VERB.search(event.summary or ""):
        return False, "the user is the one interviewing"
    strong = _STRONG.search(haystack) is not None
    if not strong and _STANDING.search(haystack):
        return False, "a standing meeting whose title merely holds a keyword"
    weak = set(hits) - {"interview"}
    if not strong and weak and all(h in _ONSITE for h in hits) and _NOT_ONSITE.search(haystack):
        return False, "an onsite that is not an interview (team, planning, support...)"
    if not strong and all(h in _ROUND for h in hits) and _NOT_ROUND.search(haystack):
        return False, "a round of something other than hiring"
    if hits == ["hiring manager"] and not _HIRING_MANAGER_CONTEXT.search(haystack):
        return False, "a meeting that merely mentions the hiring manager"
    return True, f"keyword {hits[0]!r}"


def _media_organizer(organizer: Person | None) -> bool:
    """"Radio France", "Redaktion Wirtschaft", invites@bfmtv.com, hello@show.fm."""
    if organizer is None:
        return False
    domain = (_email(organizer.email) or "").rpartition("@")[2]
    label = domain.split(".")[-2] if domain.count(".") >= 1 else ""
    return (_MEDIA_ORGANIZER.search(organizer.name or "") is not None or domain.endswith(".fm")
            or label.startswith(("radio", "tv")) or label.endswith(("radio", "tv")))


def is_interview(event: SourceEvent, rules: RuleSettings) -> bool:
    """R9 (see classify)."""
    return classify(event, rules)[0]


def skip_reason(event: SourceEvent, me: tuple[str, ...]) -> str | None:
    """R8: why an event is ignored before anything else; None keeps it."""
    if event.is_followcal:
        return "followcal reminder"
    if (event.status or "").strip().upper() == "CANCELLED":
        return "cancelled"
    mine = {_email(m) for m in me} - {None}
    for a in event.attendees:
        if _email(a.email) in mine and (a.partstat or "").strip().upper() == "DECLINED":
            return "declined"
    return None


