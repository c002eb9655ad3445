"""The `prepared` query optimisation (tracker/prepared.py) gives exactly what the plain query gives,
and the private peewee hook it stands on is still there: if a peewee upgrade breaks it, this fails."""

import inspect

import peewee
import pytest

from tracker import reports
from tracker.models import Meeting, Organization, TeamMember, Unit
from tracker.prepared import prepared

from . import factories

UPGRADE_HELP = (
    "tracker/prepared.py relies on peewee's private BaseQuery._get_cursor_wrapper(cursor); peewee "
    f"{peewee.__version__} changed it. Adapt tracker/prepared.py to the new peewee, or remove the "
    "@prepared decorators in tracker/reports/__init__.py (the queries are plain selects and work without it)."
)


def rows(result):
    """Comparable rows: models as their data (joined models included), dicts and tuples as they are."""
    out = []
    for row in result:
        if isinstance(row, peewee.Model):
            data = dict(row.__data__)
            for name, related in row.__rel__.items():
                data[name] = dict(related.__data__)
            data.update({k: v for k, v in vars(row).items() if not k.startswith("_")})
            out.append(data)
        else:
            out.append(row)
    return out


@pytest.mark.parametrize("cls", [peewee.SelectQuery, peewee.ModelSelect, peewee.BaseQuery])
def test_the_private_peewee_hook_is_still_there(cls):
    hook = getattr(cls, "_get_cursor_wrapper", None)
    assert callable(hook), UPGRADE_HELP
    assert list(inspect.signature(hook).parameters) == ["self", "cursor"], UPGRADE_HELP


def test_each_report_query_gives_what_the_plain_query_gives(app):
    """Every @prepared query of the engagement page, run twice with different values, against the same
    select built and run by peewee the ordinary way."""
    world = factories.small_world()
    for engagement in (world.engagement_a, world.engagement_b):
        factories.team_member(engagement, name="Robin Team")
        factories.goal(engagement)
        factories.meeting(engagement)
        factories.meeting(engagement)
    ids = [m.id for m in Meeting.select(Meeting.id)]
    calls = [
        (reports._unit, (world.unit_a.id,)),
        (reports._unit, (world.unit_b.id,)),
        (reports._team, (world.engagement_a.id,)),
        (reports._team, (world.engagement_b.id,)),
        (reports._goals, (world.engagement_a.id,)),
        (reports._stages, ()),
        (reports._meeting_totals, (world.engagement_a.id,)),
        (reports._meetings, (world.engagement_a.id, 1, 1)),
        (reports._meetings, (world.engagement_b.id, 10, 0)),
        (reports._competency_labels, (ids,)),
        (reports._next_steps, (ids[:2],)),
        (reports._deliverables, (world.engagement_a.id,)),
    ]
    for query, args in calls:
        assert isinstance(query, prepared), query
        plain = rows(query.build(*args))
        assert rows(query(*args)) == plain, (query.build.__name__, args, UPGRADE_HELP)
    assert rows(reports._team(world.engagement_a.id))  # not vacuous: there were rows to compare


def test_joined_models_dicts_and_tuples_come_back_as_peewee_gives_them(app):
    world = factories.small_world()

    @prepared
    def units(unit_id):
        return Unit.select(Unit.id, Unit.name, Organization.name).join(Organization).where(Unit.id == unit_id)

    @prepared
    def names(unit_ids):
        return Unit.select(Unit.name).where(Unit.id.in_(unit_ids)).order_by(Unit.name).tuples()

    unit = next(iter(units(world.unit_c.id)))
    assert (unit.name, unit.organization.name) == ("Unit C", "Other Funder"), UPGRADE_HELP
    assert list(names([world.unit_a.id, world.unit_b.id])) == [("Unit A",), ("Unit B",)], UPGRADE_HELP
    assert list(names([world.unit_c.id, world.unit_a.id])) == [("Unit A",), ("Unit C",)]


def test_a_query_whose_shape_depends_on_its_values_is_refused(app):
    @prepared
    def shaped(engagement_id):
        query = TeamMember.select(TeamMember.id)
        return query.where(TeamMember.engagement == engagement_id) if engagement_id < 2_050_000_000 else query

    with pytest.raises(ValueError, match="shaped: argument 0 is not one parameter"):
        list(shaped(1))
