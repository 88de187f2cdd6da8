"""Mail providers and the scheduling, applicant-tracking and calendar services that send
invitations (followup-rules.md "Hints"): their domains are never the company and their senders
never interviewers. Data only: companies.py, identity.py and replies.py decide with it (one
list for detection and for the mailbox)."""

from __future__ import annotations

PUBLIC_LABELS = {
    "gmail", "googlemail", "outlook", "hotmail", "live", "msn", "yahoo", "ymail", "icloud", "aol",
    "protonmail", "gmx", "yandex", "zoho", "zohomail", "fastmail", "tutanota", "tuta", "posteo",
    "mailbox", "rediffmail", "hushmail", "libero", "orange", "free", "laposte", "wanadoo", "sfr",
    "virgilio", "tiscali", "alice", "uol", "bol", "terra", "ig", "telenet", "ziggo", "kpnmail",
}
PUBLIC_DOMAINS = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "ymail.com", "icloud.com", "aol.com", "protonmail.com", "gmx.de", "gmx.net", "gmx.com", "yandex.ru",
    "yandex.com", "zoho.com", "fastmail.com", "fastmail.fm", "tutanota.com", "tuta.io", "posteo.de",
    "mailbox.org",
    "me.com", "mac.com", "proton.me", "pm.me", "web.de", "mail.com", "hey.com", "qq.com",
    "163.com", "126.com", "naver.com", "t-online.de", "freenet.de", "orange.fr", "libero.it",
    "comcast.net", "att.net", "verizon.net", "mail.ru", "inbox.ru", "bol.com.br", "uol.com.br",
}
# scheduling, applicant-tracking and calendar services send invitations; they are not employers
SCHEDULING_DOMAINS = {
    "calendar.google.com", "greenhouse.io", "greenhouse-mail.io", "lever.co",
    "calendly.com", "goodtime.io", "ashbyhq.com", "myworkday.com", "workday.com", "icims.com",
    "smartrecruiters.com", "workablemail.com", "workable.com", "jobvite.com", "modernloop.io",
    "gem.com", "paradox.ai", "hirevue.com", "teamtailor.com", "recruitee.com", "personio.de",
    "bamboohr.com", "successfactors.com", "taleo.net", "oraclecloud.com", "breezy.hr",
    "jazzhr.com", "rippling.com", "pinpointhq.com", "gupy.io", "join.com",
    "calendar.yahoo.com", "hire.lever.co",
    "beamery.com", "avature.net", "cronofy.com", "prelude.co", "yello.co", "coderpad.io",
    # issue 12, blind corpus: European and Japanese ATS and job platforms
    "welcometothejungle.com", "welcomekit.co", "personio.com", "successfactors.eu", "hrmos.co",
    "herp.cloud", "homerun.co", "jobylon.com", "teamtailor-mail.com", "applytojob.com",
    "smartrecruitersmail.com",
}
