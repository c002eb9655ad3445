"""A small portfolio written into the template workbook with openpyxl, as a person fills it (issue 20): two
organizations, a unit, two ISPs and one engagement they co-lead. Shared by the page, CLI and browser tests."""

import datetime as dt

from openpyxl import load_workbook

ENGAGEMENT_TITLE = "Reading coaching in Unit North"

ROWS = {
    "organizations": [
        {"external_id": "org-centre", "name": "North Support Centre", "kind": "intermediary"},
        {"external_id": "org-fund", "name": "North Fund", "kind": "recipient"},
    ],
    "units": [{"external_id": "unit-north", "organization": "org-fund", "name": "Unit North"}],
    "users": [
        {"external_id": "isp-1", "email": "ana@north.example", "name": "Ana North", "role": "isp",
         "organization": "org-centre", "is_active": True},
        {"external_id": "isp-2", "email": "bo@north.example", "name": "Bo North", "role": "isp",
         "organization": "org-centre", "is_active": True},
    ],
    "engagements": [
        {"external_id": "eng-1", "title": ENGAGEMENT_TITLE, "unit": "unit-north", "intermediary": "org-centre",
         "support_model": "co_creation", "start_date": dt.datetime(2025, 9, 1), "status": "active",
         "created_at": dt.datetime(2025, 8, 20, 9, 30), "co_leads": "isp-1; isp-2"},
    ],
}  # fmt: skip


def fill(template_path, out_path, rows=ROWS, change=None):
    """Write `rows` ({sheet: [{header: value}]}) into a copy of the template at `out_path`; `change(book)`
    may then edit the workbook (a seeded error) before it is saved."""
    book = load_workbook(template_path)
    for name, records in rows.items():
        page = book[name]
        headers = [cell.value for cell in page[1]]
        for record in records:
            assert set(record) <= set(headers), (name, set(record) - set(headers))
            page.append([record.get(h) for h in headers])
    if change:
        change(book)
    book.save(out_path)
    return out_path
