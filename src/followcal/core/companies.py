"""Which company an interview is with (followup-rules.md "Hints": scheduling tools, domains).

Pure. Three sources, tried in order by detect: the SUMMARY (the shapes recruiters, scheduling and
applicant-tracking tools and calendar apps write), the DESCRIPTION ("your interest in X", "X would
like to invite you", "on behalf of X", in the supported languages), and the participants' mail
domains (company_domains.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# --- the SUMMARY ---------------------------------------------------------------------------------

# "Invitation: X @ Thu Nov 19, 2026 2pm - 3pm (EST) (me@x.com)" in any of Google's languages
_GOOGLE = re.compile(r"^[^:@]{2,40}:\s*(?P<body>.+?)\s+@\s+[^@]+\(\s*[^()\s]+@[^()\s]+\s*\)\s*$")
_PREFIX = re.compile(
    r"^(?:(?:re|aw|fwd?|wg|tr|rv|enc|i|sv|vs|updated invitation|updated|invitation|accepted|"
    r"tentative|declined|einladung|uitnodiging|invito|invitación|convite|招待状|"
    r"microsoft teams meeting|teams meeting|zoom meeting|google meet)\s*[:：]\s*)+",
    re.I,
)
_SEPARATOR = re.compile(r"\s+-{1,2}\s+|\s*[|\u2013\u2014]\s*|\s*<>\s*|\s+/\s+|\s*:\s+|\s*：\s*|\s+x\s+(?=[A-Z])")
_CORE = {
    "interview", "interviews", "interviewing", "screen", "screening", "onsite", "on-site", "call",
    "chat", "loop", "round", "meeting", "conversation", "superday",
    "vorstellungsgespräch", "vorstellungsgespraech", "bewerbungsgespräch",
    "bewerbungsgespraech", "gespräch", "gespraech", "kennenlerngespräch", "entretien",
    "entrevista", "sollicitatiegesprek", "sollicitatie", "gesprek", "eindgesprek",
    "kennismakingsgesprek", "colloquio", "面接", "面談",
}
_CORE_ENDINGS = ("interview", "gespräch", "gespraech", "gesprek", "面接", "面談")
_EN_KIND = {
    "phone", "virtual", "video", "zoom", "teams", "meet", "webex", "technical", "tech", "coding",
    "behavioral", "behavioural", "panel", "final", "first", "second", "third", "fourth", "1st",
    "2nd", "3rd", "4th", "initial", "intro", "introductory", "recruiter", "hr", "follow-up",
    "culture", "fit", "stage", "session", "team", "the", "a", "an", "my", "and", "&", "+", "/",
    "with", "talent", "recruiting", "minute", "min", "onsite", "online",
    "confirmation", "confirmed", "invitation", "invite", "reminder", "scheduled", "rescheduled",
    "request", "details", "update", "updated", "debrief", "telephone", "informal", "formal",
    # video-interview and coding-interview services named in titles
    "hirevue", "karat", "coderpad", "codesignal", "hackerrank",
}
_KIND = _CORE | _EN_KIND | {
    # de
    "mit", "bei", "der", "die", "das", "dem", "zweites", "zweite", "erstes", "erste",
    "technisches", "finales", "telefonisches", "persönliches", "bewerbung",
    # fr
    "d'embauche", "de", "recrutement", "téléphonique", "technique", "avec", "chez", "rh",
    "visio", "second", "seconde", "premier", "final", "finale", "embauche", "d'", "la", "le",
    # es / pt
    "trabajo", "técnica", "tecnica", "telefónica", "telefonica", "con", "segunda", "primera",
    "rr.hh", "rrhh", "selección", "seleccion", "por", "videollamada", "el", "presencial", "en",
    "emprego", "com", "o", "os", "as", "na", "no", "vídeo", "gestor", "técnico",
    # nl
    "bij", "met", "tweede", "eerste", "technisch", "ronde",
    # it
    "di", "lavoro", "conoscitivo", "tecnico", "secondo", "primo", "selezione", "in",
    "presenza", "presso", "il",
    # ja
    "一次", "二次", "三次", "最終", "技術", "オンライン", "カジュアル",
    # issue 12, blind corpus: invitations, channels, case interviews, on-site in German
    "einladung", "zum", "zur", "zu", "to", "voor", "uitnodiging", "invito", "al", "para",
    "convite", "invitación", "vor", "ort", "vor-ort", "via", "case", "study", "videochamada",
    "chamada", "telefone", "telefónico", "telefonico", "telefonisch", "videocall", "videogesprek",
    "videocolloquio", "remote", "web", "役員", "社長", "人事", "のご案内", "ご案内", "のお知らせ",
    # blind2: case studies, take-home reviews, assessments, scheduling tags in Japanese
    "caso", "práctico", "practico", "prático", "pratico", "cas", "pratique", "take-home",
    "takehome", "review", "portfolio", "assessment", "日程確定", "日程調整", "確定", "日程", "変更",
    "リマインド", "リマインダー",
}
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|e|er|re|ème|ª|º|°|\.)?")
_KIND_PAIRS = {("hiring", "manager"), ("system", "design"), ("take", "home"), ("on", "site")}
_ROLE_WORDS = {
    "engineer", "developer", "programmer", "designer", "manager", "scientist", "analyst",
    "architect", "sre", "swe", "intern", "internship", "lead", "director", "consultant",
    "specialist", "administrator", "officer", "associate", "coordinator", "researcher",
    "accountant", "writer", "editor", "representative", "executive", "assistant", "technician",
    "tester", "qa", "devops", "pm", "tpm", "vp", "head", "cto", "cfo", "role", "position", "owner",
    "entwickler", "entwicklerin", "werkstudent", "werkstudentin", "ingenieur", "ingenieurin",
    "développeur", "développeuse", "ingénieur", "analyste", "chef", "desarrollador",
    "desarrolladora", "analista", "ingeniero", "ingeniera", "desenvolvedor", "desenvolvedora",
    "engenheiro", "engenheira", "ontwikkelaar", "sviluppatore", "sviluppatrice", "ingegnere",
}
# who one meets rather than where: "Entrevista con el responsable", "Gespräch mit dem Gründer"
_PEOPLE_WORDS = {
    "responsable", "responsabile", "responsável", "recruiter", "recruteur", "recruteuse",
    "reclutador", "reclutadora", "recrutador", "recrutadora", "jefe", "jefa", "leiter", "leiterin",
    "gründer", "gründerin", "founder", "founders", "fondateur", "fondatrice", "fundador",
    "fundadora", "ceo", "coo", "team", "équipe", "equipo", "equipa", "teamleider", "direttore",
}
_TEAM_OF = re.compile(r"(?:time|team|équipe|equipe|equipa|equipo|squad)\s+(?:de|da|do|des|du|of|di)\b",
                      re.I)  # "com o time de dados": a team, not the company
_JA_ROLE_ENDINGS = ("エンジニア", "デザイナー", "マネージャー", "マネジャー", "アナリスト", "リード",
                    "ディレクター", "コンサルタント", "職", "担当")
_WITH = re.compile(
    r"(?:\b(?:with|at|mit|bei|avec|chez|con|com|na|no|en|met|bij|presso)\b|\bw/|@)\s*(?=\S)",
    re.IGNORECASE,
)
_AT = re.compile(r"\s(?:at|from|@)\s*(?=[^\d\s])", re.IGNORECASE)
_FOR = re.compile(r"\s+for\s+(?:the\s+|a\s+|an\s+)?(?P<role>.+?)(?:\s+(?:role|position))?$", re.I)
_BETWEEN = re.compile(r"\bbetween\s+.+\s+and\s+.+$", re.I)  # Calendly: "X between A and B"
_NOISE_PAREN = re.compile(
    r"\s*[(\[]\s*(?:(?:day|tag|jour|d[ií]a|giorno|dag|ronde|round|part|teil|tour|1er|\d+(?:st|nd|rd|th|e|er)?|"
    r"final|zoom|teams|video|virtual|remote|english|hiring|interview|bewerbung)\b[^)\]]*)[)\]]\s*$",
    re.I,
)
_NOISE_SEGMENT = re.compile(r"(?:day|tag|jour|d[ií]a|giorno|dag|part|teil|round|ronde|tour|session)\s*\d+"
                            r"(?:\s*(?:of|/|von|de|sur)\s*\d+)?", re.I)
_TRAILING = re.compile(
    r"(?:\s+(?:talent(?:\s+acquisition)?|recruiting|recruitment|careers|hiring)(?:\s+team)?|\s+team"
    r"|\s*[-,]\s*round\s*\d+|\s+round\s*\d+)\s*$",
    re.I,
)
_ARTICLE = re.compile(r"^(?:the|der|die|das|la|le|les|el|los|o|a|os|as|de|het|il|lo)\s+(?=\S)", re.I)


def _word(token: str) -> str:
    return token.casefold().strip(".,;:!?\"'#()[]{}")


def _is_core(word: str) -> bool:
    return word in _CORE or word.endswith(_CORE_ENDINGS) or word.split("-")[-1] in _CORE


def _is_kind(word: str) -> bool:
    return word in _KIND or _ORDINAL.fullmatch(word) is not None or _is_core(word)


def _strip_kind(tokens: list[str]) -> list[str]:
    """Drop interview-kind words ("final round interview", "Zoom", "#2") from both ends."""
    words = [_word(t) for t in tokens]
    lo, hi = 0, len(tokens)
    while lo < hi:
        if hi - lo >= 2 and (words[hi - 2], words[hi - 1]) in _KIND_PAIRS:
            hi -= 2
        elif _is_kind(words[hi - 1]) or not words[hi - 1]:
            hi -= 1
        else:
            break
    while lo < hi:
        if hi - lo >= 2 and (words[lo], words[lo + 1]) in _KIND_PAIRS:
            lo += 2
        elif _is_kind(words[lo]) or not words[lo]:
            lo += 1
        else:
            break
    return tokens[lo:hi]


_HR = {"rr.hh", "rrhh", "gestor", "selección", "seleccion", "selezione", "recrutement"}


def _a_name(tokens: list[str]) -> list[str]:
    """A lone capitalised word that is an interview word only in another language
    ("Telefónica", "Presencial"): where a company is expected, it is the company."""
    if len(tokens) == 1 and tokens[0][:1].isupper():
        word = _word(tokens[0])
        if (len(word) > 3 and not _is_core(word) and word not in _EN_KIND | _HR
                and not word.isdigit()):
            return tokens
    return []


def _has_core(tokens: list[str]) -> bool:
    words = [_word(t) for t in tokens]
    return any(_is_core(w) for w in words) or any(p in _KIND_PAIRS for p in zip(words, words[1:], strict=False))


def clean(text: str | None) -> str | None:
    text = (text or "").strip(" \t.,;:!?\"'")
    return text or None


_GENDER = re.compile(r"\((?:[mwfdhx]\s*/\s*){1,3}[mwfdhx]\)|\(all genders\)|\(gn\)", re.I)


def looks_like_role(text: str | None) -> bool:
    if _GENDER.search(text or ""):
        return True  # "Backend (m/w/d)", "Développeur (H/F)": a job ad's title
    words = [_word(w) for w in re.sub(r"[(\[].*?[)\]]", " ", text or "").split()]
    return any(w in _ROLE_WORDS or w.endswith(_JA_ROLE_ENDINGS) for w in words)


def _normalise(summary: str) -> str:
    text = " ".join(summary.split())
    if m := _GOOGLE.match(text):
        text = m.group("body")
    text = _PREFIX.sub("", text)
    for a, b in (("（", " ("), ("）", ") "), ("【", "["), ("】", "] "), ("「", ""), ("」", "")):
        text = text.replace(a, b)
    text = _REQUISITION.sub(" ", text)
    text = re.sub(r"(?<=\S)(株式会社)\s+(?=\S)", r"\1 | ", text)  # "LINEヤフー株式会社 エンジニア"
    text = re.sub(r"(面接|面談)", r" \1 ", text)
    text = re.sub(r"^\s*\[([^\]]+)\]\s*", r"\1 | ", text.strip())
    return " ".join(text.split())


# requisition numbers ATS put in titles: "(R-104233)", "JR12345", "Req #4411"
_REQUISITION = re.compile(r"\s*[(\[]?\b(?:R|JR|REQ|Req|Job ID|ID)\s*[-_#:]?\s*\d{3,}\b[)\]]?", re.I)
# a title or honorific before a surname: a person, not a company ("mit Frau Schulz (Allianz)")
_HONORIFIC = re.compile(r"^(?:frau|herrn?|mr|mrs|ms|miss|dr|prof|mme|madame|monsieur|m|sr|sra|"
                        r"srta|señor|señora|dhr|mevr|mevrouw|sig|sig\.ra|signor|signora|dott|"
                        r"dott\.ssa)\.?\s+\S", re.I)
# weak German adjective after a dative article: "bei der Deutschen Bahn" -> "Deutsche Bahn"
_DATIVE = re.compile(r"^(?:der|dem|den)\s+([A-ZÄÖÜ][\wäöüß]*?e)n(?=\s+[A-ZÄÖÜ])")


def _person_then_company(rest: str, people: Sequence[str]) -> tuple[bool, str | None]:
    """"Frau Schulz (Allianz)", "Elena (Jobandtalent)": (it names a person, the company in
    parentheses or None)."""
    m = re.fullmatch(r"(.+?)\s*[(\[]([^()\[\]]+)[)\]]\s*", rest)
    head = m.group(1) if m else rest
    firsts = {w for n in people for w in n.casefold().split()[:1]} | {n.casefold() for n in people}
    if not (_HONORIFIC.match(head) or (m and clean(head.casefold()) in firsts)):
        return False, None
    inner = clean(m.group(2)) if m else None
    return True, inner if inner and not looks_like_role(inner) and not _has_core(inner.split()) else None


_PLACE = re.compile(r"\b(?:office|hq|headquarters|campus|site|branch|büro|buero|bureau|oficina|"
                    r"escritório|kantoor|ufficio|オフィス)$", re.I)


def _paren(seg: str) -> str:
    """"Coding Interview (Vercel)" -> "Vercel"; "Onsite (day 1)" -> "Onsite"."""
    seg = _NOISE_PAREN.sub("", seg)
    if _GENDER.search(seg):
        return seg  # "DevOps Engineer (m/w/d)": a job ad's title, the role
    m = re.fullmatch(r"(.*?)\s*\((.+)\)", seg)
    if not m:
        return seg
    head, inner = m.group(1), m.group(2)
    if not _strip_kind(head.split()) and not all(_is_kind(_word(w)) for w in inner.split()):
        return f"{head} | {inner}" if head else inner
    if _PLACE.search(head) and not looks_like_role(inner):
        return inner  # "Tokyo office (Wise)": the place is neither company nor role
    if looks_like_role(head) and not looks_like_role(inner):
        return f"{inner} | {head}"  # "Werkstudentin Data (HelloFresh)"
    return seg


def company_and_role(summary: str, people: Sequence[str] = ()) -> tuple[str | None, str | None]:
    """(company, role) from a SUMMARY such as "Interview with Acme Corp – Backend Engineer"
    (see _company_and_role); pure, so remembered: a calendar repeats its titles and people."""
    return _company_and_role_cached(summary, tuple(people))


@lru_cache(maxsize=8192)
def _company_and_role_cached(summary: str, people: tuple[str, ...]) -> tuple[str | None, str | None]:
    return _company_and_role(summary, people)


def _company_and_role(summary: str, people: Sequence[str] = ()) -> tuple[str | None, str | None]:
    """(company, role) from a SUMMARY such as "Interview with Acme Corp – Backend Engineer".

    Segments split at dashes, "|", "<>", " / " and ": " (a leading "[Tag]" is a segment too). A
    segment "<interview words> with/at X" names the company; a segment of interview words only
    names nothing; a segment naming one of `people` (the user, an interviewer) is nobody's
    company; of the rest, the first that is not a job title is the company and another the role;
    "for X" is a role. (None, None) when there is no interview word at all.
    """
    text = _normalise(summary)
    text = _BETWEEN.sub("", text)
    names = [n.casefold() for n in people if n and len(n) > 2]
    segments: list[str] = []
    for raw in _SEPARATOR.split(text):
        for part in _paren(raw).split(" | "):
            if (c := clean(part)) and not _NOISE_SEGMENT.fullmatch(c):
                segments.append(c)
    company = role = for_role = None
    found = False
    candidates: list[str] = []
    for seg in segments:
        found = found or _has_core(seg.split())
        if any(n in seg.casefold() for n in names):
            continue
        if m := _FOR.search(seg):
            for_role = for_role or clean(m.group("role"))
            seg = seg[: m.start()]
            if for_role and (at := list(_AT.finditer(for_role))):
                company = company or clean(for_role[at[-1].end():])
                for_role = clean(for_role[: at[-1].start()])
        tokens = seg.split()
        taken = False
        if company is None:
            for w in _WITH.finditer(seg):
                lead = seg[: w.start()].split()
                if _has_core(lead):
                    rest = re.sub(r"\s+(?:at|@)\s*\d.*$", "", seg[w.end():])  # "at 3pm"
                    if at := list(_AT.finditer(rest)):
                        rest = rest[at[-1].end():]
                    person, company = _person_then_company(rest, people)
                    if not person:
                        rest = _DATIVE.sub(r"\1", rest)
                        company = clean(" ".join(_strip_kind(rest.split()) or _a_name(rest.split())))
                    role = role or clean(" ".join(_strip_kind(lead)))
                    if company and (looks_like_role(company) or _word(company) in _PEOPLE_WORDS
                                    or _TEAM_OF.match(company)):
                        # "avec le manager", "con el responsable": a person, not the company
                        role, company = company, None
                    taken = True
                    break
            if company is not None or taken:
                continue
        if stripped := _strip_kind(tokens):
            candidates.append(" ".join(stripped))
        elif seg is not segments[0] and (name := _a_name(tokens)):
            candidates.extend(name)  # "Entrevista - Telefónica": a word that is a name here
    if not found:
        return None, None
    if company is None and candidates:
        company = next((c for c in candidates if not looks_like_role(c)), None)
        if company is not None:
            candidates.remove(company)
    if company is None and for_role and not looks_like_role(for_role):
        company, for_role = for_role, None  # "Interview for Acme"
    role = for_role or role
    if role is None and candidates:
        role = next((c for c in candidates if looks_like_role(c)), candidates[0])
    if company and (m := re.fullmatch(r"(.+?)\s*[(\[](.*?)[)\]]", company)):
        company = clean(m.group(1))
        if role is None and looks_like_role(m.group(2)):
            role = clean(m.group(2))
    return tidy(company), role


def tidy(company: str | None) -> str | None:
    """Trailing noise off a company name: "Umbrella talent team", "Ramp - Round 2", articles."""
    if not company:
        return None
    prev = None
    while prev != company:
        prev = company
        company = _TRAILING.sub("", _NOISE_PAREN.sub("", company)).strip(" -,.:")
    company = _ARTICLE.sub("", company)
    company = re.sub(r"\s*様$", "", company)
    if (m := re.search(r",\s*([A-ZÀ-Þ][\w\-]+)$", company)) and not _LEGAL.fullmatch(m.group(1)):
        company = company[: m.start()]  # "Siemens Healthineers, Erlangen": the place
    return clean(company)


_LEGAL = re.compile(r"(?:inc|ltd|llc|llp|plc|gmbh|ag|se|sa|sas|sarl|bv|nv|spa|srl|sl|lda|co|kg|"
                    r"corp|limited|oy|ab|as|aps)\.?", re.I)


# --- the DESCRIPTION ---------------------------------------------------------------------------

_W = r"[\w&'’\-]*(?:\.[\w&'’\-]+)*"
_NAME = rf"(?P<c>[A-ZÀ-ÖØ-Þ0-9]{_W}(?:[ \t]+(?:[A-ZÀ-ÖØ-Þ0-9&]{_W}|of|de|&))*)"
_DESCRIPTION = [
    re.compile(p, re.UNICODE) for p in (
        r"(?i:interest in(?: joining)?|interesse an|intérêt pour|interés en|interesse n[oa]|interesse (?:em|in))"
        r"\s+(?:the\s+|a\s+|o\s+|a\s+)?" + _NAME,
        _NAME + r"\s+(?i:would like to invite you|is excited to invite you|möchte sie|möchte dich|souhaite vous inviter"
        r"|desea invitarle|desea invitarte|gostaria de convid|nodigt u|nodigt je|desidera invitarla|desidera invitarti)",
        r"(?i:on behalf of|im namen von|au nom de|en nombre de|em nome d[aeo]|namens|per conto di)\s+" + _NAME,
        r"(?i:interview with|interviewing with|entretien avec|entrevista con|entrevista com)\s+" + _NAME,
        # issue 12, blind corpus: "your application at X", "l'équipe de X souhaiterait"
        r"(?i:bewerbung bei|application (?:to|at|with)|applying (?:to|at|with)|applied (?:to|at)|"
        r"candidature chez|candidatura (?:en|na|no|em|presso|in)|sollicitatie bij)\s+" + _NAME,
        r"(?i:l'équipe de|l’équipe de|l'équipe d'|das team von|el equipo de|a equipa d[aeo]|"
        r"o time d[aeo]|het team van|il team di)\s*" + _NAME,
        _NAME + r"\s+(?i:souhaiterait|aimerait|would love to|möchte gerne|quiere|gostaria|wil graag|"
        r"vorrebbe|has invited you|has scheduled)",
    )
]
# "株式会社マネーフォワード 採用担当です", "Sansan株式会社の佐藤です": the name beside the legal form
_JA_COMPANY = re.compile(r"(?:株式会社|（株）)\s*([^\s、。,．（）()「」の]+)|([^\s、。,．（）()「」]+?)\s*(?:株式会社|（株）)")


def company_from_description(description: str, people: Sequence[str] = ()) -> str | None:
    names = [n.casefold() for n in people if n and len(n) > 2]
    for pattern in _DESCRIPTION:
        for m in pattern.finditer(description or ""):
            found = tidy(re.sub(r"^(?:A|O)\s+(?=[A-Z])", "", m.group("c").rstrip(".!,'’")))
            if (found and found.casefold() not in names and found.casefold() not in _NOT_NAMES
                    and not looks_like_role(found)):
                return found
    if ja := _JA_COMPANY.search(description or ""):
        return clean(ja.group(1) or ja.group(2))
    return None


_NOT_NAMES = {"us", "our team", "the team", "you", "the", "our", "we"}
