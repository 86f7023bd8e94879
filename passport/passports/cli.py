"""Commands: signing keys, rendering one passport, re-rendering many."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from passport.db import session
from passport.org.models import Scheme
from passport.passports import services, signing
from passport.passports.models import Passport
from passport.passports.pdf_texts import PDF_LANGUAGES


def init_app(app: Flask) -> None:
    @app.cli.group("signing-key")
    def signing_key() -> None:
        """Passport signing keys (Ed25519)."""

    @signing_key.command("generate")
    def generate() -> None:
        """Make a new signing key and use it from now on; older keys still verify."""
        key = signing.generate_key()
        click.echo(f"New signing key {key.key_id}; its private key is in "
                   f"{signing.key_dir() / (key.key_id + '.pem')} (back it up, keep it secret).")

    @signing_key.command("list")
    def list_keys() -> None:
        """Show every signing key, the active one last."""
        for key in signing.all_keys():
            state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
            click.echo(f"{key.key_id}  created {key.created_at:%Y-%m-%d}  {state}")

    @app.cli.command("expire-passports")
    def expire_passports() -> None:
        """Mark valid passports past their end of validity as expired (run daily; running it
        again changes nothing). The verification page counts the date in any case."""
        from passport.passports.lifecycle import expire_due

        numbers = expire_due()
        click.echo(f"{len(numbers)} passport(s) expired" + (": " + ", ".join(numbers)
                                                           if numbers else "."))

    @app.cli.command("render-passport")
    @click.argument("number")
    @click.option("--lang", type=click.Choice(PDF_LANGUAGES), default=None,
                  help="Second language (default: the one the passport was issued with).")
    @click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                  required=True, help="PDF file to write.")
    def render_passport(number: str, lang: str | None, out: Path) -> None:
        """Render the passport NUMBER to a PDF file."""
        passport = session.scalar(select(Passport).where(Passport.number == number.upper()))
        if passport is None:
            raise click.ClickException(f"No passport has the number {number!r}.")
        data = services.render_pdf(passport, lang)
        out.write_bytes(data)
        note = ""
        if (lang or passport.second_language) != passport.second_language:
            note = (" This copy is in another language than the issued one, so the "
                    "verification page will not recognise the file itself.")
        click.echo(f"Wrote {out} ({len(data) // 1024} KiB).{note}")

    @app.cli.command("rerender-passports")
    @click.option("--scheme", "scheme_code", default=None, help="Only this scheme (code).")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Also write the PDFs into this folder.")
    @click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
                  show_default="all cores", help="Processes rendering at once.")
    def rerender_passports(scheme_code: str | None, out: Path | None, jobs: int) -> None:
        """Render passports again (after a layout change) and remember the new files' hashes,
        so the new files verify; the files issued before still verify too."""
        query = select(Passport.id).order_by(Passport.id)
        if scheme_code:
            scheme = session.scalar(select(Scheme).where(Scheme.code == scheme_code.upper()))
            if scheme is None:
                raise click.ClickException(f"No scheme has the code {scheme_code!r}.")
            query = query.where(Passport.scheme_id == scheme.id)
        ids = list(session.scalars(query))
        if out:
            out.mkdir(parents=True, exist_ok=True)
        changed = 0
        started = time.perf_counter()
        processes = max(1, min(jobs, len(ids)))
        # Chunks: each is rendered across the processes, then recorded and committed here.
        chunk = 8 * processes
        with services.batch_renderer(processes) as render_all, \
                click.progressbar(length=len(ids), label="Rendering passports",
                                  show_pos=True) as bar:
            for first in range(0, len(ids), chunk):
                passports = [session.get(Passport, i) for i in ids[first:first + chunk]]
                for passport, data in zip(passports, render_all(passports), strict=True):
                    before = passport.pdf_sha256
                    if services.record_file(passport, data) != before:
                        changed += 1
                    if out:
                        (out / f"passport-{passport.number}.pdf").write_bytes(data)
                session.commit()
                bar.update(len(passports))
        seconds = time.perf_counter() - started
        rate = len(ids) / seconds if seconds else 0.0
        click.echo(f"Rendered {len(ids)} passports in {seconds:.1f} s ({rate:.1f} per second, "
                   f"{processes} processes); {changed} files differ from before.")
