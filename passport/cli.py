"""Flask commands: init-db, create-user, demo-data, db-revision."""

from __future__ import annotations

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

    passports_cli.init_app(app)

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
