"""Feedback releases (docs/disclosure.md): `feedback_release` records each disclosure (an engagement,
a subject, the day, how many responses) and `feedback_released` which responses it holds.

Tables created with create_tables(safe=True), so running it again changes nothing; their data-version
triggers come from 0003's idempotent install(). Responses stored before this migration are released
as they would have been had the rule been in force: day by day in submission order, a subject once at
least three of its responses were pending (a release replayed on a database that has them is a no-op).
"""

from ..data_version import install
from ..models import FeedbackRelease, FeedbackReleased


def up(database):
    database.create_tables([FeedbackRelease, FeedbackReleased], safe=True)
    install(database)
    FeedbackRelease.replay()
