"""`flask translate extract|init|update|compile`: the gettext workflow around pybabel, and the
per-language completeness that the administrators' translation status page shows."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import Flask

from passport import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
# Catalogues whose header carries this flag were drafted without review by a native speaker.
REVIEW_HEADER = "X-Review-Status"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    # Run from the project root so that the catalogue's source references are relative paths.
    previous = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        _pybabel(
            "extract", "-F", "translations/babel.cfg", "-k", "_l", "-k", "lazy_gettext",
            "--sort-by-file", "--no-wrap", "--project", "Qualifications Passport",
            "--copyright-holder", "Qualifications Passport contributors",
            "-o", "translations/messages.pot", ".",
        )
    finally:
        os.chdir(previous)


def compile_all() -> None:
    _pybabel("compile", "-d", str(TRANSLATIONS), "--use-fuzzy")


@dataclass(frozen=True)
class CatalogueStatus:
    locale: str
    total: int
    translated: int
    fuzzy: int
    missing: list[str]
    draft: bool

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


def catalogue_status(locale: str) -> CatalogueStatus:
    po_path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with POT.open("rb") as fh:
        template = read_po(fh)
    wanted = [m.id for m in template if m.id]
    if not po_path.exists():
        return CatalogueStatus(locale, len(wanted), 0, 0, [_msgid(i) for i in wanted], True)
    with po_path.open("rb") as fh:
        catalogue = read_po(fh)
    translated, fuzzy, missing = 0, 0, []
    for msgid in wanted:
        message = catalogue.get(msgid)
        strings = message.string if message else None
        done = all(strings) if isinstance(strings, tuple) else bool(strings)
        if message is not None and done and not message.fuzzy:
            translated += 1
        else:
            fuzzy += int(bool(message and message.fuzzy))
            missing.append(_msgid(msgid))
    draft = not review_status(po_path).lower().startswith("reviewed")
    return CatalogueStatus(locale, len(wanted), translated, fuzzy, missing, draft)


_REVIEW_LINE = re.compile(rf'^"{REVIEW_HEADER}: (?P<value>[^"\\]*)\\n"$', re.MULTILINE)


def review_status(po_path: Path) -> str:
    """The catalogue's review flag, read from the file itself: Babel's parser drops unknown
    `X-` headers, and a catalogue without the flag counts as a draft."""
    found = _REVIEW_LINE.search(po_path.read_text(encoding="utf-8"))
    return found["value"].strip() if found else "draft"


def _set_review_status(po_path: Path, value: str) -> None:
    """Put the flag back after `pybabel update`, which rewrites the header without it."""
    text = po_path.read_text(encoding="utf-8")
    line = f'"{REVIEW_HEADER}: {value}\\n"'
    if _REVIEW_LINE.search(text):
        text = _REVIEW_LINE.sub(lambda _m: line, text, count=1)
    else:
        marker = '"Generated-By:'
        at = text.find(marker)
        if at < 0:
            return
        text = text[:at] + line + "\n" + text[at:]
    po_path.write_text(text, encoding="utf-8")


def _msgid(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def init_app(app: Flask) -> None:
    @app.cli.group()
    def translate() -> None:
        """Interface translations: extract, init, update, compile."""

    @translate.command("extract")
    def extract_command() -> None:
        """Collect every translatable string into translations/messages.pot."""
        extract()
        click.echo(f"Wrote {POT.relative_to(PROJECT_ROOT)}")

    @translate.command("init")
    @click.argument("locale")
    def init_command(locale: str) -> None:
        """Start the catalogue of a new language."""
        extract()
        _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-wrap")

    @translate.command("update")
    def update_command() -> None:
        """Bring every catalogue up to date with the source (new strings, changed ones)."""
        extract()
        flags = {po: review_status(po) for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
        _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-wrap",
                 "--ignore-obsolete")
        for po, flag in flags.items():
            _set_review_status(po, flag)

    @translate.command("compile")
    def compile_command() -> None:
        """Compile the catalogues (.po) into the .mo files the app reads."""
        compile_all()

    @translate.command("status")
    def status_command() -> None:
        """Print how complete each catalogue is."""
        for path in sorted(p for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir()):
            s = catalogue_status(path.name)
            flag = " (draft, not reviewed)" if s.draft else ""
            click.echo(f"{s.locale:6} {s.percent:3d}%  {s.translated}/{s.total}{flag}")


def languages_with_catalogues() -> list[str]:
    return sorted(
        p.name for p in Path(TRANSLATIONS).iterdir() if (p / "LC_MESSAGES" / "messages.po").exists()
    )
