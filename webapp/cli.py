"""Command-line tools: `flask --app webapp <command>`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .auth import UserError, create_user, issue_api_token
from .models import User


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(api_token_command)


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
@click.option("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
@with_appcontext
def create_user_command(email: str, password: str, name: str, timezone: str) -> None:
    """Create a user who can sign in."""
    try:
        user = create_user(email, password, name=name, timezone=timezone)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email}; booking page /book/{user.booking_slug}", err=True)


@click.command("api-token")
@click.argument("email")
@with_appcontext
def api_token_command(email: str) -> None:
    """Print a new personal API token for EMAIL (alone on stdout)."""
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    click.echo(issue_api_token(user))
