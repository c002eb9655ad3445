"""`flask create-user`: an account that can sign in, from the command line (the first admin)."""

import click
from flask.cli import with_appcontext

from ..db import database
from ..models import PASSWORD_HINT, ROLES, Organization, Unit, ValidationError, keys
from ..services import admin as admin_service


def _fail(message):
    raise click.ClickException(message)


def _one_line(errors):
    return " ".join(errors.values())


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown in the app.")
@click.option("--role", required=True, help="One of: " + ", ".join(keys(ROLES)) + ".")
@click.option("--unit", "unit_name", help="The recipient's unit (name, or ORGANIZATION/UNIT).")
@click.option("--organization", "organization_name", help="Organization: a leader's scope, an ISP's intermediary.")
@click.option("--all-organizations", is_flag=True, help="A leader who reads every organization.")
@click.option("--password", help=f"Password ({PASSWORD_HINT}); asked for when left out.")
def create_user_command(email, name, role, unit_name, organization_name, all_organizations, password):
    """Create a user who can sign in."""
    if role not in keys(ROLES):
        _fail(f"Unknown role “{role}”: choose one of {', '.join(keys(ROLES))}.")
    unit = organization = None
    if unit_name:
        org_part, _, unit_part = unit_name.rpartition("/")
        query = Unit.select().join(Organization).where(Unit.name == unit_part)
        if org_part:
            query = query.where(Organization.name == org_part)
        found = list(query)
        if not found:
            _fail(f"Unknown unit “{unit_name}”: create it first, or check the spelling.")
        if len(found) > 1:
            _fail(f"Several organizations have a unit “{unit_name}”: write it as ORGANIZATION/UNIT.")
        unit = found[0]
    if organization_name:
        organization = Organization.get_or_none(Organization.name == organization_name)
        if organization is None:
            _fail(f"Unknown organization “{organization_name}”.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = {
        "email": email,
        "name": name,
        "role": role,
        "unit_id": unit.id if unit else None,
        "organization_id": organization.id if organization else None,
        "reads_all_organizations": all_organizations,
        "password": password,
    }
    try:
        with database.atomic():
            user = admin_service.create_user(data)  # the rules of the admin page and the API
    except ValidationError as exc:
        _fail(_one_line(exc.errors))
    click.echo(f"Created {user.role_label.lower()} {user.name} <{user.email}>.")
