"""The initial schema: every table of the domain model."""


def up(database):
    from ..models import MODELS

    database.create_tables(MODELS, safe=True)
