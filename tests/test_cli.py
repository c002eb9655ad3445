"""`flask create-user`: one line on success, one clear line and a non-zero exit on bad input, and
nothing written when it fails."""

import pytest

from tracker.models import AuditEntry, User

from . import factories
from .conftest import post_form

PASSWORD = "a-long-enough-password"


def create_user(runner, *args, input=None):
    return runner.invoke(args=["create-user", *args], input=input)


def one_line(result):
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def places(app):
    foundation = factories.organization("Foundation")
    centre = factories.organization("Implementation Centre", kind="intermediary")
    return {"foundation": foundation, "centre": centre, "unit": factories.unit(foundation, "Child Welfare")}


# --- success ----------------------------------------------------------------------------------


def test_create_isp(runner, places):
    result = create_user(
        runner,
        "Ada@Example.org",
        "--name",
        "Ada Lovelace",
        "--role",
        "isp",
        "--organization",
        "Implementation Centre",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert one_line(result) == "Created implementation support practitioner Ada Lovelace <ada@example.org>."
    user = User.get(User.email == "ada@example.org")
    assert (user.name, user.role, user.is_active) == ("Ada Lovelace", "isp", True)
    assert user.organization_id == places["centre"].id
    assert user.unit_id is None
    assert user.check_password(PASSWORD)
    assert PASSWORD not in user.password_hash


def test_created_user_can_sign_in(app, runner, places):
    result = create_user(
        runner, "grace@example.org", "--name", "Grace Hopper", "--role", "admin", "--password", PASSWORD
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    response = post_form(client, "/login", {"email": "grace@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_create_recipient_takes_the_unit_and_its_organization(runner, places):
    result = create_user(
        runner,
        "rae@example.org",
        "--name",
        "Rae",
        "--role",
        "recipient",
        "--unit",
        "Child Welfare",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "rae@example.org")
    assert user.unit_id == places["unit"].id
    assert user.organization_id == places["foundation"].id


def test_ambiguous_unit_needs_the_organization(runner, places):
    other = factories.organization("Other Funder")
    factories.unit(other, "Child Welfare")
    before = User.select().count()
    result = create_user(
        runner,
        "rae@example.org",
        "--name",
        "Rae",
        "--role",
        "recipient",
        "--unit",
        "Child Welfare",
        "--password",
        PASSWORD,
    )
    assert result.exit_code != 0
    assert "ORGANIZATION/UNIT" in one_line(result)
    assert User.select().count() == before

    result = create_user(
        runner,
        "rae@example.org",
        "--name",
        "Rae",
        "--role",
        "recipient",
        "--unit",
        "Other Funder/Child Welfare",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert User.get(User.email == "rae@example.org").organization_id == other.id


def test_leader_without_organization_is_unscoped(runner, places):
    result = create_user(runner, "liv@example.org", "--name", "Liv", "--role", "leader", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert User.get(User.email == "liv@example.org").organization_id is None


def test_create_user_is_audited(runner, places):
    create_user(runner, "ada@example.org", "--name", "Ada", "--role", "isp", "--password", PASSWORD)
    entries = list(AuditEntry.select().where((AuditEntry.entity == "User") & (AuditEntry.action == "create")))
    assert len(entries) == 1
    assert entries[0].change_map["email"] == "ada@example.org"
    assert "password_hash" not in entries[0].change_map


# --- the password prompt ----------------------------------------------------------------------


def test_password_is_prompted_for_when_left_out(runner, places):
    result = create_user(runner, "ada@example.org", "--name", "Ada", "--role", "isp", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert (
        result.output.strip().splitlines()[-1] == "Created implementation support practitioner Ada <ada@example.org>."
    )
    assert User.get(User.email == "ada@example.org").check_password(PASSWORD)


def test_password_prompt_asks_again_when_the_two_differ(runner, places):
    result = create_user(
        runner,
        "ada@example.org",
        "--name",
        "Ada",
        "--role",
        "isp",
        input=f"{PASSWORD}\nsomething-else-entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert User.get(User.email == "ada@example.org").check_password(PASSWORD)


def test_short_prompted_password_is_refused(runner, places):
    before = User.select().count()
    result = create_user(runner, "ada@example.org", "--name", "Ada", "--role", "isp", input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert User.select().count() == before


# --- refusals: one clear line, non-zero exit, nothing written ---------------------------------------

BAD_INPUT = {
    "unknown role": (["x@example.org", "--name", "X", "--role", "superuser", "--password", PASSWORD], "Unknown role"),
    "unknown unit": (
        ["x@example.org", "--name", "X", "--role", "recipient", "--unit", "No Such Unit", "--password", PASSWORD],
        "Unknown unit",
    ),
    "unknown organization in unit": (
        [
            "x@example.org",
            "--name",
            "X",
            "--role",
            "recipient",
            "--unit",
            "Nowhere/Child Welfare",
            "--password",
            PASSWORD,
        ],
        "Unknown unit",
    ),
    "unknown organization": (
        ["x@example.org", "--name", "X", "--role", "leader", "--organization", "Nowhere", "--password", PASSWORD],
        "Unknown organization",
    ),
    "duplicate email": (
        ["TAKEN@example.org", "--name", "X", "--role", "isp", "--password", PASSWORD],
        "already exists",
    ),
    "recipient without unit": (
        ["x@example.org", "--name", "X", "--role", "recipient", "--password", PASSWORD],
        "recipient belongs to a unit",
    ),
    "short password": (
        ["x@example.org", "--name", "X", "--role", "isp", "--password", "eleven-char"],
        "at least 12 characters",
    ),
    "isp with a unit": (
        ["x@example.org", "--name", "X", "--role", "isp", "--unit", "Child Welfare", "--password", PASSWORD],
        "Only recipients belong to a unit",
    ),
    "invalid email": (["not-an-email", "--name", "X", "--role", "isp", "--password", PASSWORD], "valid email"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_in_one_line(runner, places, case):
    factories.user("isp", email="taken@example.org")
    args, expected = BAD_INPUT[case]
    users_before = User.select().count()
    audit_before = AuditEntry.select().count()
    result = create_user(runner, *args)
    assert result.exit_code != 0
    line = one_line(result)
    assert line.startswith("Error: ")
    assert expected in line
    assert "Traceback" not in result.output
    assert User.select().count() == users_before
    assert AuditEntry.select().count() == audit_before


def test_eleven_characters_is_too_short_and_twelve_is_enough(runner, places):
    assert len("eleven-char") == 11
    assert (
        create_user(runner, "a@example.org", "--name", "A", "--role", "isp", "--password", "eleven-char").exit_code != 0
    )
    result = create_user(runner, "a@example.org", "--name", "A", "--role", "isp", "--password", "twelve-chars")
    assert result.exit_code == 0, result.output


def test_missing_name_or_role_is_a_usage_error(runner, places):
    before = User.select().count()
    assert create_user(runner, "x@example.org", "--role", "isp", "--password", PASSWORD).exit_code == 2
    assert create_user(runner, "x@example.org", "--name", "X", "--password", PASSWORD).exit_code == 2
    assert User.select().count() == before
