"""flask retention [--dry-run]; flask export-candidate CASE --out FILE."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask

from passport.db import session


def _describe(counts: dict[str, int]) -> str:
    parts = []
    for key, label in (("candidate_record", "candidate record"),
                       ("questionnaires", "questionnaire"), ("documents", "documents"),
                       ("messages", "messages"), ("personal_links", "personal links"),
                       ("passport_snapshots", "passport holder data")):
        if counts.get(key):
            parts.append(f"{label} ({counts[key]})" if key != "candidate_record" else label)
    if counts.get("document_bytes"):
        parts.append(f"{counts['document_bytes'] / 1048576:.1f} MB of files")
    return ", ".join(parts)


def init_app(app: Flask) -> None:
    @app.cli.command("retention")
    @click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
    @click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="Run as if on this day (YYYY-MM-DD).")
    def retention_command(dry_run: bool, today) -> None:  # noqa: ANN001
        """Erase candidates' personal data whose scheme's retention period has run out."""
        from passport.privacy import services

        day = today.date() if today else date.today()
        found = services.erase_due(day, dry_run=dry_run)
        verb = "to erase (dry run: nothing changed)" if dry_run else "erased"
        for item in found:
            line = (f"candidate {item.candidate.id} (cases {item.references}): kept until "
                    f"{item.erase_after.isoformat()} ({item.months} months)")
            if not dry_run:
                line += ": " + _describe(item.erased)
            click.echo(line)
        click.echo(f"{len(found)} candidate(s) {verb}.")

    @app.cli.command("export-candidate")
    @click.argument("case_id", type=int)
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
                  help="Where to write the ZIP.")
    def export_command(case_id: int, out: str) -> None:
        """Write everything held about the candidate of case CASE_ID to a ZIP (access
        requests); the export is recorded in the case history."""
        from passport.cases.models import Case
        from passport.privacy import services

        case = session.get(Case, case_id)
        if case is None:
            raise click.ClickException(f"No case {case_id}.")
        data = services.export_candidate(None, case)
        target = Path(out)
        target.write_bytes(data)
        target.chmod(0o600)
        click.echo(f"Wrote {len(data)} bytes about the candidate of {case.reference} to {out}.")
