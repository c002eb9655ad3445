"""What the engagement page and the plan pages show of an engagement's implementation plan (issue 19).

The rules (versions, agreement, lapses, modifications) are in tracker/models/plans.py; this module
gathers them for a reader, with the access decisions of tracker/policy.py.
"""

from .. import policy
from ..models import Modification, PlanItem, lapses, plan_agreement


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
