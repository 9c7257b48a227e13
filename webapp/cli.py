"""Command-line tools: `flask --app webapp <command>`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .auth import UserError, create_user, issue_api_token, set_password
from .models import User


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(api_token_command)
    app.cli.add_command(sync_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(sync_worker_command)


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
@click.option("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--admin", is_flag=True, help="Make the user an admin (the first user always is one).")
@with_appcontext
def create_user_command(email: str, password: str, name: str, timezone: str, admin: bool) -> None:
    """Create a user who can sign in; the first user is an admin (invites members, makes teams)."""
    try:
        user = create_user(email, password, name=name, timezone=timezone, admin=admin)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    role = " (admin)" if user.is_admin else ""
    click.echo(f"Created {user.email}{role}; booking page /book/{user.booking_slug}", err=True)


@click.command("api-token")
@click.argument("email")
@with_appcontext
def api_token_command(email: str) -> None:
    """Print a new personal API token for EMAIL (alone on stdout)."""
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    click.echo(issue_api_token(user))


@click.command("sync")
@click.option("--email", default=None, help="Only the accounts of this user, or this iCloud account.")
@with_appcontext
def sync_command(email: str | None) -> None:
    """Sync iCloud accounts and subscribed calendars now, a summary for each (waits for a sync already running)."""
    from .models import CalendarAccount
    from .sync import sync_account_now

    query = CalendarAccount.select().join(User).order_by(CalendarAccount.id)
    if email:
        wanted = email.strip().lower()
        query = query.where((User.email == wanted) | (CalendarAccount.email == wanted))
    accounts = list(query)
    if not accounts:
        raise click.ClickException(f"No connected iCloud account for {email}." if email else "No connected iCloud account.")
    failed = False
    for account in accounts:
        run = sync_account_now(account.id)
        what = f"subscribed calendar {account.calendars.get().name}" if account.is_subscription else account.email
        label = f"{what} ({account.owner.email})"
        if run is None and account.is_subscription:
            click.echo(f"{label}: not fetched: not checked for conflicts.")
        elif run is None:
            failed = True
            click.echo(f"{label}: not synced: needs reconnecting with a new app-specific password.")
        elif run.error:
            failed = True
            click.echo(f"{label}: failed: {run.error}")
        else:
            click.echo(
                f"{label}: pulled {run.pulled}, updated {run.updated}, deleted {run.deleted}, pushed {run.pushed}, "
                f"skipped {run.skipped}; {run.requests} request(s) in {run.duration_seconds:.1f} s"
            )
            for line in filter(None, run.warnings.splitlines()):
                click.echo(f"  warning: {line}")
    if failed:
        raise SystemExit(1)


@click.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def set_password_command(email: str, password: str) -> None:
    """Set EMAIL's password; every session and remember cookie of that user ends."""
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    try:
        set_password(user, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password of {user.email} changed; signed out everywhere.", err=True)


@click.command("sync-worker")
@with_appcontext
def sync_worker_command() -> None:
    """Run the periodic syncs, the push outbox and the mail outbox until SIGTERM or Ctrl-C (the one
    process that does, beside web workers started with SCHEDULER_ENABLED=0)."""
    from flask import current_app

    from .logging_setup import configure
    from .sync.scheduler import run_in_foreground

    configure()
    run_in_foreground(current_app._get_current_object(), on_ready=lambda: click.echo("sync worker ready", err=True))
