"""Flask commands: init-db, create-user, demo-data, db-revision."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from passport import db, migrate
from passport.auth.models import Role
from passport.errors import ServiceError


def init_db() -> str:
    migrate.upgrade(db.engine())
    return migrate.current_revision(db.engine()) or ""


def init_app(app: Flask) -> None:
    from passport.passports import cli as passports_cli
    from passport.privacy import cli as privacy_cli

    passports_cli.init_app(app)
    privacy_cli.init_app(app)

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Create the database schema, or upgrade it to the newest version."""
        revision = init_db()
        click.echo(f"Database is at schema version {revision}.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True, help="Full name shown to others.")
    @click.option(
        "--role",
        "roles",
        multiple=True,
        required=True,
        type=click.Choice([r.value for r in Role]),
        help="Repeat for several roles.",
    )
    @click.option("--centre", default=None, help="Name of the user's centre (evaluators).")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Asked for when not given.",
    )
    def create_user_command(
        email: str, name: str, roles: tuple[str, ...], centre: str | None, password: str
    ) -> None:
        """Create a staff account."""
        from sqlalchemy import select

        from passport.auth.services import create_user
        from passport.org.models import Centre

        centre_row = None
        if centre:
            centre_row = db.session.scalar(select(Centre).where(Centre.name == centre))
            if centre_row is None:
                raise click.ClickException(f"No centre is called {centre!r}.")
        try:
            user = create_user(email, name, [Role(r) for r in roles], password, centre=centre_row)
        except ServiceError as exc:
            raise click.ClickException(str(exc.message)) from None
        click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")

    @app.cli.command("demo-data")
    def demo_data_command() -> None:
        """Create the schema if needed and fill it with demo data (safe to run twice)."""
        from passport import demo

        init_db()
        logins = demo.load()
        click.echo("Demo data is ready. Log in at " + current_app.config["BASE_URL"] + "/login as:")
        for email, password, what in logins:
            click.echo(f"  {email:32} password: {password:20} {what}")
        click.echo("Coordinators and the administrator also need a code from the second factor: "
                   "flask --app passport demo-code EMAIL prints it.")

    @app.cli.command("backup")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(out: Path) -> None:
        """Write the whole database to OUT (a ZIP of canonical JSON lines)."""
        from passport import backup

        try:
            summary = backup.backup(db.engine(), out)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Backed up {summary.rows} rows of {summary.tables} tables to {out} "
                   f"(content SHA-256 {summary.digest}). Back up the signing keys and the "
                   "secret key separately.")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that already holds data.")
    def restore_command(source: Path, force: bool) -> None:
        """Restore a backup made by `backup` into an empty database."""
        from passport import backup

        try:
            summary = backup.restore(db.engine(), source, force=force)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Restored {summary.rows} rows of {summary.tables} tables from {source} "
                   f"(content SHA-256 {summary.digest}).")

    @app.cli.command("reset-two-factor")
    @click.argument("email")
    def reset_two_factor_command(email: str) -> None:
        """Clear a user's second factor (lost phone and recovery codes); they enrol again at
        their next login. Also ends their sessions."""
        from passport.auth import twofactor
        from passport.auth.services import end_other_sessions, find_user

        user = find_user(email)
        if user is None:
            raise click.ClickException(f"No user has the address {email!r}.")
        twofactor.disable(user)
        end_other_sessions(user)
        click.echo(f"The second factor of {user.email} is cleared; they set it up again at "
                   "their next login.")

    @app.cli.command("demo-code")
    @click.argument("email")
    def demo_code_command(email: str) -> None:
        """Print the current second-factor code of a demo account (demo data only)."""
        from passport.auth import twofactor
        from passport.auth.services import find_user

        user = find_user(email)
        code = twofactor.demo_code(user) if user is not None else None
        if code is None:
            raise click.ClickException(
                "Only the demo accounts with the demo key have a code here: "
                + ", ".join(twofactor.DEMO_ACCOUNTS) + ". Use your authenticator app."
            )
        click.echo(code)

    @app.cli.command("generate-data")
    @click.option("--cases", "n_cases", type=click.IntRange(1, 10_000_000), required=True,
                  help="How many cases to generate.")
    @click.option("--seed", type=int, default=1, show_default=True,
                  help="Same seed, same data.")
    @click.option("--force", is_flag=True, help="Add to a database that already holds cases.")
    def generate_data_command(n_cases: int, seed: int, force: bool) -> None:
        """(Benchmarks, trials) fill the database with synthetic cases, fast."""
        from passport import datagen

        init_db()
        try:
            counts = datagen.generate(n_cases, seed, force=force, echo=click.echo)
        except datagen.NotEmpty as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Generated {counts['cases']} cases, {counts['passports']} passports, "
                   f"{counts['audit']} audit entries in {counts['seconds']} s. "
                   f"Every account's password: {datagen.DATAGEN_PASSWORD}")

    @app.cli.command("db-revision")
    @click.argument("message")
    def db_revision_command(message: str) -> None:
        """(Developers) write a new migration from the difference between models and schema."""
        migrate.autogenerate(db.engine(), message)
