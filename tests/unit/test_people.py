"""people.py: role mailboxes and role names are not people; titled names keep their title."""

from __future__ import annotations

import pytest

from followcal.core.people import (
    addressees,
    frequent_addresses,
    is_noreply,
    is_person,
    is_role_address,
    is_role_name,
    parse_name,
    user_name,
)


@pytest.mark.parametrize("email", [
    "talent@globex.example", "recruiting@x.com", "careers@x.com", "jobs@sap.de", "hr@x.de",
    "people@x.com", "hiring@x.com", "no-reply@greenhouse.io", "noreply@lever.co",
    "do-not-reply@myworkday.com", "recruitment@vandelay.example", "talent-acquisition@x.com",
    "recruiting+emea@x.com", "people.ops@x.com", "bewerbung@nordwind.example", "rh@x.fr",
    "rrhh@x.es", "calendar-notification@google.com", "TALENT@GLOBEX.EXAMPLE",
])
def test_role_addresses(email):
    assert is_role_address(email)


@pytest.mark.parametrize("email", [
    "dana.whitfield@acme.example", "hank.scorpio@globex.example", "hrvoje@x.hr", "jobsworth.j@x.com",
    "peoples.anna@x.com", "me@example.com", None, "", "not-an-address",
])
def test_personal_addresses(email):
    assert not is_role_address(email)


@pytest.mark.parametrize("name", ["Globex Talent", "Talent Acquisition", "Recruiting Team",
                                  "Vandelay Recruitment", "Acme HR", "People Team", "Hiring Manager",
                                  "Personalabteilung", "Équipe RH"])
def test_role_names(name):
    assert is_role_name(name) and parse_name(name) is None


@pytest.mark.parametrize("name, parsed", [
    ("Dr. Eva Schneider", ("Dr.", "Eva", "Schneider")),
    ("Prof. Dr. Hans Meier", ("Prof. Dr.", "Hans", "Meier")),
    ("Dr.-Ing. Karl Braun", ("Dr.", "Karl", "Braun")),
    ("Dr. rer. nat. Anna Weber", ("Dr.", "Anna", "Weber")),
    ("Schneider, Eva", ("", "Eva", "Schneider")),
    ("Gavin Belson Jr. (Hooli Recruiting)", ("", "Gavin", "Belson")),
    ("Jane Roe - Acme Talent", ("", "Jane", "Roe")),
    ("Ludwig van Beethoven", ("", "Ludwig", "van Beethoven")),
    ("Ms. Jane Roe", ("Ms.", "Jane", "Roe")),
    ("Drew Barry", ("", "Drew", "Barry")),
    ("Cher", ("", "Cher", "")),
    ("jane@acme.example", None), ("", None), (None, None),
])
def test_parse_name(name, parsed):
    assert parse_name(name) == parsed


def test_addressees_one_per_person_and_role_mailboxes_left_out():
    got = addressees([("Globex Talent", "talent@globex.example"), ("Hank Scorpio", "hank@globex.example"),
                      ("Hank Scorpio", "hank@globex.example"), ("Alex Rivera", "me@example.com"),
                      ("Lisa Nguyen", None)], "Globex", user=["me@example.com"])
    assert [(a.display, a.email, a.team) for a in got] == [
        ("Hank Scorpio", "hank@globex.example", False), ("Lisa Nguyen", None, False)]


def test_only_role_mailboxes_give_the_hiring_team():
    got = addressees([("Greenhouse", "no-reply@greenhouse.io"), ("Globex Talent", "talent@globex.example")],
                     "Globex")
    assert [(a.display, a.email, a.team) for a in got] == [("the Globex hiring team", "talent@globex.example", True)]
    assert is_noreply("no-reply@greenhouse.io") and not is_noreply("talent@globex.example")
    assert addressees([], "Globex")[0].email is None


def test_a_person_behind_a_shared_mailbox_gets_no_link():
    (jane,) = addressees([("Jane Roe", "recruiting@acme.example")], "Acme")
    assert jane.given == "Jane" and jane.email is None and not jane.team


def test_user_name_and_frequent_addresses():
    invites = [[("Alex Rivera", "me@example.com"), ("Dana", "dana@acme.example")],
               [("alex rivera", "ME@example.com"), ("Hank", "hank@globex.example")],
               [("Alex Rivera", "me@example.com")]]
    assert user_name((p for i in invites for p in i), ["me@example.com"]) == "Alex Rivera"
    assert user_name((p for i in invites for p in i), []) is None
    assert frequent_addresses([[e for _, e in i] for i in invites]) == ("me@example.com",)
    assert frequent_addresses([["a@x.com"]]) == ()


def test_is_person():
    assert is_person("Dana Whitfield", "dana@acme.example")
    assert is_person("Jane Roe", "recruiting@acme.example")  # a person, written to without a link
    assert not is_person("Greenhouse", "no-reply@greenhouse.io")
    assert not is_person("Globex", "talent@globex.example")
    assert not is_person("Globex Talent", "talent@globex.example")
    assert not is_person(None, "hank@globex.example")
