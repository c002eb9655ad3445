"""Every table a person can see is downloadable (issue 22): every GET page of the app, as every role, through
the Flask test client; every <table> in its HTML names a registered export in `data-export` (or `none` for a
form laid out as a table, which must then hold form controls), the page links to that export's CSV, and the
link answers 200 with the one CSV Content-Type for that user.

One exception to "names a registered export": a table that a page already downloads through a CSV route of
its own (the engagement feedback's scores over time, `/engagements/<id>/feedback.csv`, computed by
reports.feedback.csv_rows from the same scores_over_time as the table) names that route's path instead
(`data-export="/engagements/1/feedback.csv"`); the page must link to that path and the link must download the
same way, so the table is no less downloadable, only not duplicated in the registry.

The pages and their path parameters come from the url_map walk and the seeded world of
tests/browser/test_every_page.py, so a new page is covered here as soon as it is seeded there.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from tracker import exports

from .browser.test_every_page import _world, address, page_rules, users
from .factories import small_world

CSV_TYPE = "text/csv; charset=utf-8"
CONTROLS = {"input", "select", "textarea", "button"}


class Tables(HTMLParser):
    """The tables of a page (their data-export and whether they hold form controls) and its links."""

    def __init__(self):
        super().__init__()
        self.tables, self.links, self.open = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {"export": attrs.get("data-export"), "id": attrs.get("id"), "controls": False}
            self.tables.append(table)
            self.open.append(table)
        elif tag in CONTROLS and self.open:
            self.open[-1]["controls"] = True
        elif tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "table" and self.open:
            self.open.pop()


def export_name(href):
    """The export a link downloads (`/reports/<name>.csv?...`), or None."""
    path = urlsplit(href).path
    if path.startswith("/reports/") and path.endswith(".csv") and path.count("/") == 2:
        return path[len("/reports/") : -len(".csv")]
    return None


def download_problems(client, role, href, where, downloads):
    """[] when the CSV link `href` answers 200 with the one CSV Content-Type for this role's client, else the
    problem; each link is fetched once per role (`downloads`: {(role, href): (status, content type)})."""
    if (role, href) not in downloads:
        csv = client.get(href)
        downloads[role, href] = (csv.status_code, csv.headers.get("Content-Type"))
    status, content_type = downloads[role, href]
    return [] if status == 200 and content_type == CSV_TYPE else [f"{where}: {href} answers {status} {content_type}"]


def test_every_table_names_its_export_and_links_to_its_csv(app):
    world = small_world()
    values = _world(app, world)
    rules, _ = page_rules(app)
    problems, tables_seen, downloads = [], 0, {}
    for role, user in users(world).items():
        if user is None:
            continue  # signed out: the sign-in page and the public feedback forms, which hold no data table
        client = app.test_client(user=type(user).get_by_id(user.id))
        for rule in rules:
            path = address(rule, values)
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue

            page = Tables()
            page.feed(response.get_data(as_text=True))
            linked = {}
            for href in page.links:
                name = export_name(href)
                if name:
                    linked.setdefault(name, href)
            for table in page.tables:
                tables_seen += 1
                where = f"{path} ({role}), table {table['id'] or ''}"
                name = table["export"]
                if name is None:
                    problems.append(f"{where}: no data-export")
                elif name == "none":
                    if not table["controls"]:
                        problems.append(f"{where}: data-export=none but no form control (a data table)")
                elif name.startswith("/"):  # the page's own CSV route (see the module's docstring)
                    own = sorted(h for h in page.links if urlsplit(h).path == name)
                    if not name.endswith(".csv") or not own:
                        problems.append(f"{where}: data-export={name!r}: no link to that CSV on the page")
                    else:
                        problems += download_problems(client, role, own[0], where, downloads)
                elif name not in exports.EXPORTS:
                    problems.append(f"{where}: data-export={name!r} is not a registered export")
                elif name not in linked:
                    problems.append(f"{where}: no Download CSV link to /reports/{name}.csv")
                else:
                    problems += download_problems(client, role, linked[name], where, downloads)
    assert tables_seen > 50  # the walk reached the pages with tables
    assert not problems, f"{len(problems)} table(s) not downloadable:\n" + "\n".join(sorted(set(problems)))
    assert downloads


def test_export_names_are_read_from_csv_links_only():
    assert export_name("/reports/engagements.csv?unit_id=2") == "engagements"
    assert export_name("/reports/engagements/3") is None
    assert export_name("/engagements/3/feedback.csv") is None
