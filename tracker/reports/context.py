"""Context across the portfolio: the barriers and facilitators recorded as context notes, by CFIR
domain (domain.md: the intervention, here the ISP role; individuals; inner setting; outer setting;
process), across engagements and units.

A note counts once, in its domain and kind (barrier or facilitator), when it is live (not deleted), its
engagement is in the report's scope (ReportFilters.engagement_ids: what the user may see, narrowed by
engagement, unit, model, ISP and current stage, as every report) and its date (noted_on) is within the
report's dates. Meeting kind is not a filter of notes (a note belongs to no meeting). Internal notes
count and are listed only for readers who see them (policy.can_see_internal_notes, through
ContextNote.shown): a recipient's counts leave them out.

Pure query functions: a fixed number of queries whatever the data size.
"""

from collections import defaultdict

from peewee import fn

from .. import policy
from ..models import CFIR_DOMAINS, CONTEXT_KINDS, ContextNote, Engagement, Unit
from .cache import cached

RECENT = 10  # the most recent notes listed


def _in_scope(filters):
    return (
        ContextNote.deleted_at.is_null()
        & ContextNote.engagement.in_(filters.engagement_ids())
        & filters.date_condition(ContextNote.noted_on)
    )


def _row(counts):
    barriers, facilitators = counts.get("barrier", 0), counts.get("facilitator", 0)
    return {"barriers": barriers, "facilitators": facilitators, "total": barriers + facilitators}


@cached
def context_across(filters, recent=RECENT):
    """{"total": {"barriers", "facilitators", "total"},
    "domains": [{"key", "name", "barriers", "facilitators", "total"}]  (every CFIR domain, in order),
    "units": [{"id", "name", "total": {...}, "domains": {domain key: {"barriers", "facilitators", "total"}}}]
       (units with a note in scope, by name),
    "recent": [{"id", "text", "kind", "kind_name", "domain", "domain_name", "noted_on", "engagement_id",
                "engagement", "unit"}]  (the `recent` latest notes, newest first)}. Three queries."""
    where = _in_scope(filters)
    per_unit = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    names = {}
    sees_internal = policy.can_see_internal_notes(filters.user)
    for unit_id, unit_name, domain, kind, n in ContextNote.shown(
        ContextNote.select(Unit.id, Unit.name, ContextNote.domain, ContextNote.kind, fn.COUNT(ContextNote.id))
        .join(Engagement)
        .join(Unit)
        .where(where)
        .group_by(Unit.id, Unit.name, ContextNote.domain, ContextNote.kind),
        sees_internal,
    ).tuples():
        names[unit_id] = unit_name
        per_unit[unit_id][domain][kind] += n
    by_domain = defaultdict(lambda: defaultdict(int))
    for domains in per_unit.values():
        for domain, kinds in domains.items():
            for kind, n in kinds.items():
                by_domain[domain][kind] += n
    totals = defaultdict(int)
    for kinds in by_domain.values():
        for kind, n in kinds.items():
            totals[kind] += n
    domain_names, kind_names = dict(CFIR_DOMAINS), dict(CONTEXT_KINDS)
    units = [
        {
            "id": unit_id,
            "name": names[unit_id],
            "total": _row({k: sum(d.get(k, 0) for d in per_unit[unit_id].values()) for k in kind_names}),
            "domains": {key: _row(per_unit[unit_id].get(key, {})) for key, _name in CFIR_DOMAINS},
        }
        for unit_id in sorted(per_unit, key=lambda u: (names[u].lower(), u))
    ]
    latest = ContextNote.shown(
        ContextNote.select(ContextNote, Engagement.id, Engagement.title, Unit.name)
        .join(Engagement)
        .join(Unit)
        .where(where)
        .order_by(ContextNote.noted_on.desc(), ContextNote.id.desc())
        .limit(recent),
        sees_internal,
    )
    return {
        "total": _row(totals),
        "domains": [{"key": key, "name": name, **_row(by_domain.get(key, {}))} for key, name in CFIR_DOMAINS],
        "units": units,
        "recent": [
            {
                "id": note.id,
                "text": note.text,
                "internal": note.internal,
                "kind": note.kind,
                "kind_name": kind_names.get(note.kind, note.kind),
                "domain": note.domain,
                "domain_name": domain_names.get(note.domain, note.domain),
                "noted_on": note.noted_on,
                "engagement_id": note.engagement.id,
                "engagement": note.engagement.title,
                "unit": note.engagement.unit.name,
            }
            for note in latest
        ],
    }


def engagement_notes(engagement_id, sees_internal=False):
    """One engagement's live context notes by CFIR domain, for its printable report:
    [{"key", "name", "notes": [ContextNote, oldest first]}] (domains with a note, in CFIR order; one query).
    Internal notes only when `sees_internal` (policy.can_see_internal_notes)."""
    by_domain = defaultdict(list)
    for note in ContextNote.shown(
        ContextNote.live()
        .where(ContextNote.engagement == engagement_id)
        .order_by(ContextNote.noted_on, ContextNote.id),
        sees_internal,
    ):
        by_domain[note.domain].append(note)
    return [{"key": key, "name": name, "notes": by_domain[key]} for key, name in CFIR_DOMAINS if by_domain[key]]
