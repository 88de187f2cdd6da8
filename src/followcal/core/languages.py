"""The languages drafts are written in (en, de, fr, es): dates, the phrases drafts.py fills in,
greetings, and a cheap guess of an interview invite's language. Pure; independent of the locale.

The message templates themselves live in `templates/` (English) and `templates/<code>/`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from followcal.core.people import Addressee

LANGUAGES = ("en", "de", "fr", "es")


@dataclass(frozen=True, eq=False)  # hashed by identity: its dates are cached per (Lang, day)
class Lang:
    code: str
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    long_fmt: str  # "{weekday}, {day} {month} {year}"
    short_fmt: str
    stamp_fmt: str  # "{wd} {day} {mon} {year}"
    numbers: tuple[str, ...]  # 0..5 as words
    phrases: dict[str, str]
    short_weekdays: tuple[str, ...] = ()
    short_months: tuple[str, ...] = ()

    def long_date(self, day: date) -> str:
        return _formatted(self, self.long_fmt, day)

    def short_date(self, day: date) -> str:
        return _formatted(self, self.short_fmt, day)

    def stamp(self, value: datetime | date, zone: str) -> str:
        """"Fri 20 Nov 2026 15:00 (America/New_York)", or the date alone for a date."""
        day = value.date() if isinstance(value, datetime) else value
        text = _formatted(self, self.stamp_fmt, day)
        if not isinstance(value, datetime):
            return text
        label = getattr(value.tzinfo, "key", None) or (value.tzname() if value.tzinfo else None)
        return f"{text} {value.hour:02}:{value.minute:02} ({label or zone or 'UTC'})"  # %H:%M, without strftime

    def number(self, n: int) -> str:
        return self.numbers[n] if 0 <= n < len(self.numbers) else str(n)

    def say(self, key: str, **values: str) -> str:
        text = self.phrases[key].format(**values)
        if self.code == "fr":  # "le poste d'Ingénieur", "l'équipe de recrutement d'Acme"
            text = _ELISION.sub(r"\1d'\2", text)
        return text

    def greeting(self, who: Addressee | None) -> str:
        """The salutation line of a draft to `who` (None: nobody known)."""
        if who is None or (not who.team and not (who.given or who.surname)):
            return self.phrases["greet_unknown"]
        if who.team:
            return self.phrases["greet_team"]
        if self.code == "en":
            title = who.title.split()[0] if who.title else ""
            if title and who.surname:
                return f"Dear {title} {who.surname},"
            return f"Dear {who.given or who.surname},"
        title = who.title if who.title.endswith(("Dr.", "Prof.")) else ""  # not "Ms." / "Mr."
        full = " ".join(p for p in (title, who.full or f"{who.given} {who.surname}".strip()) if p)
        return self.say("greet_person", name=full)


@lru_cache(maxsize=4096)  # the interviews of a feed share their days; drafting asks per reminder
def _formatted(lang: Lang, fmt: str, day: date) -> str:
    return fmt.format(**_parts(lang, day))


def _parts(lang: Lang, day: date) -> dict[str, object]:
    weekday = lang.weekdays[day.weekday()]
    month = lang.months[day.month - 1]
    return {"weekday": weekday, "day": day.day, "month": month, "year": day.year,
            "wd": lang.short_weekdays[day.weekday()] if lang.short_weekdays else weekday[:3],
            "mon": lang.short_months[day.month - 1] if lang.short_months else month[:3]}


EN = Lang(
    "en",
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"),
    "{weekday}, {day} {month} {year}", "{weekday}, {day} {month}", "{wd} {day} {mon} {year}",
    ("no", "one", "two", "three", "four", "five"),
    {
        "position": "the {role} role", "position_unknown": "the open role",
        "role_phrase": " for the {role} role", "by": " by {deadline}",
        "decision_note": "They said they would decide by {date}.",
        "update": "I'd be grateful for any update you can share on the timeline.",
        "update_dated": "I know you hoped to decide by {date}, and I'd be grateful for any update on the timeline.",
        "progress": "follow-up {n} of {count}",
        "last": "This is your last nudge: if nothing comes back, the cut-off reminder follows.",
        "next": "No reply after this? followcal will remind you about follow-up {n}.",
        "again": " again",
        "sent_none": "your thank-you note",
        "sent_one": "your thank-you note and one follow-up",
        "sent": "your thank-you note and {word} follow-ups",
        "contact": "{name} or your recruiter", "contact_unknown": "your recruiter or the hiring manager",
        "contact_private": "your contact at {company}",
        "each": "each interviewer ({n} notes)", "your_interviewer": "your interviewer",
        "team": "the {company} hiring team",
        "greet_unknown": "Hello,", "greet_team": "Dear hiring team,", "greet_person": "Dear {name},",
        "your_name": "[Your name]", "your_phone": "[your phone number]",
        "callback": "If it's easier to call me back, my number is {phone}.",
        "callback_unknown": "If it's easier, you can call me back at the number in my application.",
        "voicemail_number": "You can reach me at {phone}; again, that's {phone}.",
        "voicemail_unknown": "You can reach me at {phone}.",
        "draft_one": "To: {recipient}", "draft_many": "Draft {i} of {n}, to {recipient}:",
        "open": "Open in your mail app: {link}",
        "mark": (
            "Got an answer? Run: followcal mark {id} replied (or rejected, offer, accepted, withdrawn), "
            "or add \"Outcome: replied\" to the interview event."
        ),
        "hint_name": "Set name = \"Your Name\" in followcal.toml to sign these drafts.",
        "hint_phone": "Set phone = \"+1 555 0100\" in followcal.toml to put your number in the script.",
        "subject_label": "Subject",
    },
)

DE = Lang(
    "de",
    ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
     "Oktober", "November", "Dezember"),
    "{weekday}, {day}. {month} {year}", "{weekday}, {day}. {month}", "{wd} {day}. {mon} {year}",
    ("keine", "eine", "zwei", "drei", "vier", "fünf"),
    {
        "position": "die Stelle als {role}", "position_unknown": "die ausgeschriebene Stelle",
        "role_phrase": " für die Stelle als {role}", "by": " bis {deadline}",
        "decision_note": "Die Entscheidung war für {date} angekündigt.",
        "update": "Über eine kurze Rückmeldung zum weiteren Zeitplan würde ich mich freuen.",
        "update_dated": (
            "Sie hatten eine Entscheidung bis {date} in Aussicht gestellt; "
            "über eine kurze Rückmeldung zum Stand würde ich mich freuen."
        ),
        "progress": "Nachfrage {n} von {count}",
        "last": "Dies ist Ihre letzte Nachfrage: Kommt keine Antwort, folgt die Erinnerung zum Abschluss.",
        "next": "Keine Antwort darauf? followcal erinnert Sie an Nachfrage {n}.",
        "again": " noch einmal",
        "sent_none": "Ihrem Dankschreiben",
        "sent_one": "Ihrem Dankschreiben und einer Nachfrage",
        "sent": "Ihrem Dankschreiben und {word} Nachfragen",
        "contact": "{name} oder Ihre Ansprechperson im Recruiting",
        "contact_unknown": "Ihre Ansprechperson im Recruiting oder die Fachabteilung",
        "contact_private": "Ihre Ansprechperson bei {company}",
        "each": "jede Gesprächsperson ({n} Nachrichten)", "your_interviewer": "Ihre Gesprächsperson",
        "team": "das Recruiting-Team von {company}",
        "greet_unknown": "Guten Tag,", "greet_team": "Sehr geehrte Damen und Herren,",
        "greet_person": "Guten Tag {name},",
        "your_name": "[Ihr Name]", "your_phone": "[Ihre Telefonnummer]",
        "callback": "Gern können Sie mich auch unter {phone} zurückrufen.",
        "callback_unknown": "Gern können Sie mich auch unter der Nummer aus meiner Bewerbung zurückrufen.",
        "voicemail_number": "Sie erreichen mich unter {phone}, ich wiederhole: {phone}.",
        "voicemail_unknown": "Sie erreichen mich unter {phone}.",
        "draft_one": "An: {recipient}", "draft_many": "Entwurf {i} von {n}, an {recipient}:",
        "open": "Im Mailprogramm öffnen: {link}",
        "mark": (
            "Antwort erhalten? Dann: followcal mark {id} replied (oder rejected, offer, accepted, withdrawn), "
            "oder \"Outcome: replied\" im Termin des Gesprächs ergänzen."
        ),
        "hint_name": "Mit name = \"Ihr Name\" in followcal.toml werden diese Entwürfe unterschrieben.",
        "hint_phone": "Mit phone = \"+49 30 1234567\" in followcal.toml steht Ihre Nummer im Gesprächsleitfaden.",
        "subject_label": "Betreff",
    },
    ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."),
)

FR = Lang(
    "fr",
    ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"),
    "{weekday} {day} {month} {year}", "{weekday} {day} {month}", "{wd} {day} {mon} {year}",
    ("aucune", "une", "deux", "trois", "quatre", "cinq"),
    {
        "position": "le poste de {role}", "position_unknown": "le poste à pourvoir",
        "role_phrase": " pour le poste de {role}", "by": " avant le {deadline}",
        "decision_note": "Une décision était annoncée pour le {date}.",
        "update": "Toute information sur la suite du calendrier me serait précieuse.",
        "update_dated": "Vous envisagiez une décision pour le {date} ; toute information sur l'avancement me serait précieuse.",
        "progress": "relance {n} sur {count}",
        "last": "C'est votre dernière relance : sans réponse, le rappel de clôture suivra.",
        "next": "Pas de réponse ? followcal vous rappellera la relance {n}.",
        "again": " à nouveau",
        "sent_none": "votre message de remerciement",
        "sent_one": "votre message de remerciement et une relance",
        "sent": "votre message de remerciement et {word} relances",
        "contact": "{name} ou votre contact au service recrutement",
        "contact_unknown": "votre contact au service recrutement ou le responsable du recrutement",
        "contact_private": "votre contact chez {company}",
        "each": "chaque interlocuteur ({n} messages)", "your_interviewer": "votre interlocuteur",
        "team": "l'équipe de recrutement de {company}",
        "greet_unknown": "Bonjour,", "greet_team": "Madame, Monsieur,",
        "greet_person": "Bonjour {name},",
        "your_name": "[Votre nom]", "your_phone": "[votre numéro de téléphone]",
        "callback": "Vous pouvez aussi me rappeler au {phone}.",
        "callback_unknown": "Vous pouvez aussi me rappeler au numéro indiqué dans ma candidature.",
        "voicemail_number": "Vous pouvez me joindre au {phone} ; je répète : {phone}.",
        "voicemail_unknown": "Vous pouvez me joindre au {phone}.",
        "draft_one": "À : {recipient}", "draft_many": "Brouillon {i} sur {n}, à {recipient} :",
        "open": "Ouvrir dans votre messagerie : {link}",
        "mark": (
            "Une réponse ? Lancez : followcal mark {id} replied (ou rejected, offer, accepted, withdrawn), "
            "ou ajoutez \"Outcome: replied\" à l'événement de l'entretien."
        ),
        "hint_name": "Indiquez name = \"Votre Nom\" dans followcal.toml pour signer ces brouillons.",
        "hint_phone": "Indiquez phone = \"+33 1 23 45 67 89\" dans followcal.toml pour que votre numéro figure dans le script.",
        "subject_label": "Objet",
    },
    ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
)

ES = Lang(
    "es",
    ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"),
    "{weekday}, {day} de {month} de {year}", "{weekday}, {day} de {month}", "{wd} {day} {mon} {year}",
    ("ningún", "un", "dos", "tres", "cuatro", "cinco"),
    {
        "position": "el puesto de {role}", "position_unknown": "el puesto vacante",
        "role_phrase": " para el puesto de {role}", "by": " antes del {deadline}",
        "decision_note": "Dijeron que decidirían antes del {date}.",
        "update": "Le agradecería mucho cualquier novedad que pueda compartir sobre los plazos.",
        "update_dated": "Sé que esperaban decidir antes del {date} y le agradecería cualquier novedad sobre el proceso.",
        "progress": "seguimiento {n} de {count}",
        "last": "Este es su último seguimiento: si no hay respuesta, llegará el recordatorio de cierre.",
        "next": "¿Sin respuesta? followcal le recordará el seguimiento {n}.",
        "again": " de nuevo",
        "sent_none": "su mensaje de agradecimiento",
        "sent_one": "su mensaje de agradecimiento y un seguimiento",
        "sent": "su mensaje de agradecimiento y {word} seguimientos",
        "contact": "{name} o su contacto de selección",
        "contact_unknown": "su contacto de selección o el responsable de la contratación",
        "contact_private": "su contacto en {company}",
        "each": "cada entrevistador ({n} mensajes)", "your_interviewer": "su entrevistador",
        "team": "el equipo de selección de {company}",
        "greet_unknown": "Buenos días:", "greet_team": "Estimado equipo de selección:",
        "greet_person": "Buenos días, {name}:",
        "your_name": "[Su nombre]", "your_phone": "[su número de teléfono]",
        "callback": "Si le resulta más cómodo, puede devolverme la llamada al {phone}.",
        "callback_unknown": "Si le resulta más cómodo, puede devolverme la llamada al número de mi candidatura.",
        "voicemail_number": "Puede localizarme en el {phone}; repito: {phone}.",
        "voicemail_unknown": "Puede localizarme en el {phone}.",
        "draft_one": "Para: {recipient}", "draft_many": "Borrador {i} de {n}, para {recipient}:",
        "open": "Abrir en su correo: {link}",
        "mark": (
            "¿Ha recibido respuesta? Ejecute: followcal mark {id} replied (o rejected, offer, accepted, "
            "withdrawn), o añada \"Outcome: replied\" al evento de la entrevista."
        ),
        "hint_name": "Indique name = \"Su Nombre\" en followcal.toml para firmar estos borradores.",
        "hint_phone": "Indique phone = \"+34 912 345 678\" en followcal.toml para incluir su número en el guion.",
        "subject_label": "Asunto",
    },
    ("lun.", "mar.", "mié.", "jue.", "vie.", "sáb.", "dom."),
    ("ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.", "nov.", "dic."),
)

_ELISION = re.compile(r"(^|\s)de ([AEIOUYÉÈÊÀÂÎÔaeiouyéèêàâîô])")

BY_CODE = {lang.code: lang for lang in (EN, DE, FR, ES)}

# Words that mark an invite's language: interview words count most, everyday words a little.
_STRONG = {
    "de": ("vorstellungsgespräch", "bewerbungsgespräch", "kennenlerngespräch", "gespräch", "bewerbung"),
    "fr": ("entretien", "candidature", "recrutement"),
    "es": ("entrevista", "candidatura", "selección"),
    "en": ("interview", "screen", "onsite", "recruiter"),
}
_WEAK = {
    "de": {"und", "der", "die", "das", "mit", "sie", "ihre", "ihr", "bitte", "wir", "für", "uns", "zum", "bei", "stelle", "ist"},
    "fr": {"et", "le", "la", "les", "avec", "vous", "votre", "nous", "pour", "des", "du", "au", "poste", "est"},
    "es": {"y", "el", "los", "las", "con", "usted", "su", "para", "nosotros", "del", "puesto", "es", "una"},
    "en": {"and", "the", "with", "you", "your", "for", "we", "our", "to", "is", "of", "role"},
}
_WORD = re.compile(r"[^\W\d_]+")
_WEAK_CODE = {word: code for code, words in _WEAK.items() for word in words}  # no word is in two
_STRONG_OTHERS = tuple((code, words) for code, words in _STRONG.items() if code != "en")
# ASCII text: every octet but a letter (what _WORD matches there) becomes a space, as bytes
# (bytes.translate is a table lookup; str.translate with a dict, five times slower)
_NOT_LETTER = bytes(b if chr(b).isalpha() else 0x20 for b in range(256))
_WEAK_CODE_ASCII = {word.encode("ascii"): code for word, code in _WEAK_CODE.items() if word.isascii()}


def _weak_codes(text: str) -> list[str]:
    """The language code of each everyday word of `text` (casefolded), in order; on ASCII text
    (most invites) by a bytes translate and split, else `_WORD.findall`."""
    if text.isascii():
        words = text.encode("ascii").translate(_NOT_LETTER).split()
        return list(filter(None, map(_WEAK_CODE_ASCII.get, words)))
    return list(filter(None, map(_WEAK_CODE.get, _WORD.findall(text))))


@lru_cache(maxsize=1024)
def detect_language(summary: str, description: str = "") -> str:
    """"de", "fr" or "es" when the invite reads as that language, else "en". Cheap: counts marker
    words (the summary weighs more); a tie or too little evidence stays English. (Cached: the
    invites of a series or a template share their text.)"""
    head = summary.casefold()
    body = description[:4000].casefold()
    both = head + " " + body  # no marker word holds a space, so none is found across the join
    codes = _weak_codes(both)
    scores = {code: codes.count(code) for code in _STRONG}
    for code, words in _STRONG_OTHERS:
        if any(map(both.__contains__, words)):
            scores[code] += 5 * sum(map(head.__contains__, words)) + 2 * sum(map(body.__contains__, words))
    best = max(("de", "fr", "es"), key=scores.__getitem__)
    if scores[best] < 4:
        return "en"  # whatever English scores
    words = _STRONG["en"]
    scores["en"] += 5 * sum(map(head.__contains__, words)) + 2 * sum(map(body.__contains__, words))
    return best if scores[best] > scores["en"] else "en"
