"""Flask command create-token: a bearer token for the JSON API, printed once."""

import click
from flask.cli import with_appcontext

from ..api import new_token
from ..db import database
from ..models import User


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="CLI", help="A label to recognise the token by.")
def create_token_command(email, name):
    """Create an API token for the user with EMAIL and print it (it is not shown again)."""
    user = User.select().where((User.email == email.strip().lower()) & User.is_active).first()
    if user is None:
        raise click.ClickException(f"No active user with the email “{email}”.")
    with database.atomic():
        _row, token = new_token(user, name)
    click.echo(token)
