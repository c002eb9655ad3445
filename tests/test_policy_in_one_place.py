"""Every rule that depends on a user's role lives in tracker/policy.py (and sign-in in tracker/auth.py):
views, the API and templates ask the policy (templates through `can`), they never compare roles.

The walk below fails on `current_user.role` anywhere else, and on a comparison of some user's `.role`
with a role name ("admin", "isp", "leader", "recipient") — e.g. `me.role in ("admin", "isp")`. Not
flagged: other fields called `role` (an ISP's co_lead/supporting link), query expressions on the
model field (`User.role == "isp"` selects people, it decides nothing), a model validating its own
fields (`self.role`), and the data of the demo tool.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"tracker/policy.py", "tracker/auth.py"}

CURRENT_USER_ROLE = re.compile(r"current_user\.role\b")
ROLE_NAME = r"""["'](?:admin|isp|leader|recipient)["']"""
# <someone>.role ==/!=/in/not in ... "admin" (on one line), or the other way round
ROLE_COMPARISON = re.compile(
    r"(?<![\w.])(?!User\.|cls\.|self\.|EngagementISP\.)(?:[A-Za-z_][\w]*\.)+role\s*(?:==|!=|\bnot\s+in\b|\bin\b)"
    rf"[^\n]*?{ROLE_NAME}"
    rf"|{ROLE_NAME}\s*(?:==|!=)\s*(?:[A-Za-z_][\w]*\.)+role\b"
)


def _files():
    for folder, pattern in (("tracker", "*.py"), ("templates", "*.html")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED or "demo" in path.stem:
                continue
            yield relative, path.read_text(encoding="utf-8")


def role_decisions(text):
    """(line number, line) of each role decision made in `text`."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if CURRENT_USER_ROLE.search(line) or ROLE_COMPARISON.search(line):
            found.append((number, line.strip()))
    return found


def test_the_pattern_finds_role_decisions_and_nothing_else():
    for decision in (
        "if current_user.role == 'admin' %}",
        'if me.role not in ("recipient", "admin"):',
        "{% if current_user.role in ('isp', 'admin') %}",
        'if g._login_user.role != "admin":',
        'return user.role in ("admin", "isp")',
        "x = current_user.role",
        "if 'admin' == user.role:",
    ):
        assert role_decisions(decision), decision
    for harmless in (
        'co_leads = [link.user_id for link in current if link.role == "co_lead"]',
        '.where((User.role == "isp") & User.is_active)',
        'if self.role == "recipient" and self.unit is None:',
        "{{ current_user.role_label }}",
        "{{ can.triage_requests }}",
        "{{ render_field(form.role) }}",
        "query = query.where(User.role == role)",
    ):
        assert not role_decisions(harmless), harmless


def test_no_role_decision_outside_the_policy():
    found = {path: hits for path, text in _files() if (hits := role_decisions(text))}
    assert found == {}, "Ask tracker/policy.py (in templates: `can`) instead of comparing roles"
