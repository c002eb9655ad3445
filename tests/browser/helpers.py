"""Helpers for the browser tests: sign in through the form, and run axe-core on a page."""

from pathlib import Path

from .. import factories

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


# --- helpers for the tests --------------------------------------------------------------------------


def sign_in(page, user, password=factories.PASSWORD):
    """Sign in through the sign-in form, as a person does; lands on the home page."""
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible(), f"{user.email} could not sign in"


_axe_source = None


def axe_violations(page, impacts=SERIOUS):
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source)
    result = page.evaluate("""async () => {
        const r = await window.axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                      html: n.html.slice(0, 200)}))}));
    }""")
    return [v for v in result if v["impact"] in impacts]


def describe_violations(violations, where):
    lines = [f"axe-core found {len(violations)} serious or critical accessibility violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}: {node['html']}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"      {detail.strip()}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def check_a11y(page, where=None):
    """Assert that axe-core finds no serious or critical violation on the page as it is now."""
    where = where or page.url
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, where)
