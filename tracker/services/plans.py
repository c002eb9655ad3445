"""What the engagement page and the plan pages show of an engagement's implementation plan (issue 19).

The rules (versions, agreement, lapses, modifications) are in tracker/models/plans.py; this module
gathers them for a reader, with the access decisions of tracker/policy.py.
"""

from .. import policy
from ..models import (
    Goal,
    Modification,
    PlanAgreement,
    PlanItem,
    PlanVersion,
    Stage,
    Strategy,
    TeamMember,
    User,
    agree_to_plan,
    agreement_roles,
    change_plan,
    frequency_label,
    lapses,
    plan_agreement,
)


def engagement_plan(engagement, user, isps=None):
    """The engagement page's "Plan and delivery": {"items": live plan items, "agreement": plan_agreement(),
    "can_edit": bool, "can_record": bool (modifications), "lapses": [(plan item, last logged, lapse day)]
    (asked only of those who record modifications), "modifications": the FRAME-IS modifications, newest first}."""
    items = PlanItem.of(engagement.id)
    can_edit = policy.can_edit_engagement(user, engagement, isps)
    can_record = policy.can_record_modification(user, engagement, isps)
    return {
        "items": items,
        "agreement": plan_agreement(engagement.id, isps=isps),
        "can_edit": can_edit,
        "can_record": can_record,
        "lapses": lapses(engagement.id, items=items) if can_record else [],
        "modifications": Modification.of(engagement.id),
    }


def plan_page(engagement, user, isps=None):
    """The plan page: the live items, the versions (newest first, each snapshot item with its names in
    words), the agreement, and what `user` may do: edit the plan, agree as co-lead or as team lead."""
    items = PlanItem.of(engagement.id)
    versions = PlanVersion.history(engagement.id)
    agreement = plan_agreement(engagement.id, isps=isps)
    snapshots = [row for v in versions for row in v.item_list]
    users = {u.id: u.name for u in User.select().where(User.id.in_({r["responsible_user"] for r in snapshots} or {0}))}
    members = {
        m.id: m.name
        for m in TeamMember.select().where(TeamMember.id.in_({r["responsible_member"] for r in snapshots} or {0}))
    }
    goals = {g.id: g.title for g in Goal.select().where(Goal.engagement == engagement.id)}
    stages = {s.key: s.name for s in Stage.ordered()}
    history = []
    for version in versions:
        rows = [
            {
                **row,
                "responsible_name": users.get(row["responsible_user"]) or members.get(row["responsible_member"]) or "",
                "goal_title": goals.get(row["goal"], ""),
                "stage_name": stages.get(row["stage"], ""),
                "frequency": frequency_label(row["sessions_per_month"]),
            }
            for row in version.item_list
        ]
        history.append((version, rows))
    can_agree = policy.can_agree_to_plan(user, engagement, isps)
    mine = {"co_lead": False, "team_lead": False, "record_lead": False}
    if can_agree and agreement["version"] is not None:
        roles = agreement_roles(agreement, user)  # who the user may agree as (the model's one rule)
        needed = agreement["needed"]
        agreed = any(given for party, person, given in needed if party == "co_lead" and person.id == user.id)
        lead_waits = needed[-1][1] is not None and needed[-1][2] is None
        mine = {
            "co_lead": roles["co_lead"] and not agreed,
            "team_lead": roles["team_lead"] and lead_waits,
            "record_lead": roles["record_lead"] and lead_waits,
        }
    return {
        "plan_items": items,
        "history": history,
        "agreement": agreement,
        "can_edit": policy.can_edit_engagement(user, engagement, isps),
        "can_agree": can_agree,
        "mine": mine,
        "changed_since_agreed": _changed_since_agreed(engagement.id, agreement),
    }


def _changed_since_agreed(engagement_id, agreement):
    """Whether an earlier version had been agreed by someone and the plan then changed: the page says so
    and asks again."""
    version = agreement["version"]
    if version is None or version.number == 1:
        return False
    return (
        PlanVersion.select()
        .join(PlanAgreement)
        .where((PlanVersion.engagement == engagement_id) & (PlanVersion.number < version.number))
        .exists()
    )


def add_item(engagement, by, values):
    """One new plan item: a new version ("Added …")."""
    strategy = Strategy.get_or_none(Strategy.id == values.get("strategy")) if values.get("strategy") else None
    summary = f"Added {strategy.name}." if strategy else ""
    change_plan(engagement, by, add=[values], summary=summary)
    return PlanItem.of(engagement.id if not isinstance(engagement, int) else engagement)


# What a version's summary calls a changed field of a plan item.
CHANGED_WORDS = {
    "sessions_per_month": "frequency",
    "start_date": "start",
    "end_date": "end",
    "responsible_user": "who is responsible",
    "responsible_member": "who is responsible",
}


def change_item(engagement, by, item, values):
    """Change one plan item: a new version naming what changed (nothing changed: no version)."""
    changed = [
        name for name, value in values.items() if getattr(item, f"{name}_id", getattr(item, name, None)) != value
    ]
    if not changed:
        return None
    words = ", ".join(dict.fromkeys(CHANGED_WORDS.get(name, name.replace("_", " ")) for name in changed))
    return change_plan(engagement, by, update=[(item, values)], summary=f"Changed {item.strategy.name}: {words}.")


def remove_item(engagement, by, item):
    return change_plan(engagement, by, remove=[item], summary=f"Removed {item.strategy.name}.")


def agree(engagement, by, party, version_number):
    """Record `by`'s agreement (or, party team_lead from a co-lead, the team lead's) to the version read."""
    return agree_to_plan(engagement.id, by, party, version_number=version_number)
