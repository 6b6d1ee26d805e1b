"""Our message catalogues: extract every translatable string and check the Chinese translations.

Each app keeps its own catalogue, `<app>/locale/zh_Hans/LC_MESSAGES/django.po` (Django finds app locale
directories by itself), so that people working on different apps never edit the same file. Strings of modules
outside an app (`metrocoop/*.py`) go to `metrocoop/locale`.

Django's makemessages needs GNU gettext; this uses Babel (a dependency already: `make` compiles the catalogues
with it) so that a test can fail when a page gains a string nobody translated.

    python -m metrocoop.core.i18n --update [APP]   add new strings to the app catalogues (all apps by default)
    python -m metrocoop.core.i18n --check          list strings without a Chinese translation (exit 1 if any)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msg>.*?)(?P=q)(?:\s+as\s+\w+)?\s*%\}""")
UNDERSCORE = re.compile(r"""_\((?P<q>["'])(?P<msg>.*?)(?P=q)\)""")
BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
PLURAL = re.compile(r"\{%\s*plural\s*%\}")
VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SKIP_PARTS = {"migrations", "tests", "vendor", "__pycache__", "locale", "static"}

Message = tuple[str, str | None]  # (msgid, msgid_plural)


def _block_text(text: str, trimmed: bool) -> str:
    text = VAR.sub(lambda m: f"%({m.group(1)})s", text)
    if trimmed:
        text = " ".join(line.strip() for line in text.strip().splitlines())
    return text


def template_messages(path: Path) -> Iterator[Message]:
    source = path.read_text(encoding="utf-8")
    for m in TRANSLATE_TAG.finditer(source):
        yield m.group("msg"), None
    for m in UNDERSCORE.finditer(source):
        yield m.group("msg"), None
    for m in BLOCK.finditer(source):
        trimmed = "trimmed" in m.group("args")
        parts = PLURAL.split(m.group("body"))
        singular = _block_text(parts[0], trimmed)
        plural = _block_text(parts[1], trimmed) if len(parts) > 1 else None
        yield singular, plural


def python_messages(path: Path) -> Iterator[Message]:
    with path.open("rb") as fh:
        for _lineno, funcname, messages, _comments in extract_python(fh, KEYWORDS, [], {}):
            if isinstance(messages, tuple):
                strings = [m for m in messages if isinstance(m, str)]
                if funcname.startswith("pgettext"):
                    strings = strings[1:]
                if strings:
                    yield strings[0], (strings[1] if len(strings) > 1 else None)
            elif isinstance(messages, str):
                yield messages, None


def catalogue_dir(path: Path) -> Path:
    """The package directory whose catalogue holds the strings of `path` (its app, or metrocoop itself)."""
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1 and (PACKAGE / rel.parts[0] / "apps.py").exists():
        return PACKAGE / rel.parts[0]
    return PACKAGE


def po_file(owner: Path) -> Path:
    return owner / "locale" / LOCALE / "LC_MESSAGES" / "django.po"


def extract() -> dict[Path, dict[str, str | None]]:
    """{catalogue owner directory: {msgid: msgid_plural}} for every string of the package."""
    found: dict[Path, dict[str, str | None]] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if SKIP_PARTS & set(path.relative_to(PACKAGE).parts):
            continue
        if path.suffix == ".html":
            messages = template_messages(path)
        elif path.suffix == ".py" and path.name != "i18n.py":
            messages = python_messages(path)
        else:
            continue
        owner = found.setdefault(catalogue_dir(path), {})
        for msgid, plural in messages:
            if msgid:
                owner.setdefault(msgid, plural)
    return found


def all_messages() -> dict[str, str | None]:
    merged: dict[str, str | None] = {}
    for messages in extract().values():
        for msgid, plural in messages.items():
            merged.setdefault(msgid, plural)
    return merged


def load_catalog(owner: Path) -> Catalog:
    path = po_file(owner)
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=LOCALE)
    return Catalog(locale=LOCALE, project="MetroCoop", fuzzy=False)


def _translation(catalog: Catalog, msgid: str) -> str:
    message = catalog.get(msgid)
    string = message.string if message else ""
    if isinstance(string, tuple):
        string = string[0]
    return string or ""


def missing() -> list[str]:
    """Strings without a Chinese translation in their own app's catalogue."""
    out = []
    for owner, messages in extract().items():
        catalog = load_catalog(owner)
        out += [f"{owner.name}: {msgid}" for msgid in messages if not _translation(catalog, msgid)]
    return out


def update(only: str | None = None) -> int:
    """Add new strings to their catalogues; a translation another catalogue already has is reused."""
    extracted = extract()
    known: dict[str, str] = {}
    for owner in extracted:
        for message in load_catalog(owner):
            if message.id and message.string:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                known.setdefault(key, message.string[0] if isinstance(message.string, tuple) else message.string)
    added = 0
    for owner, messages in extracted.items():
        if only and owner.name != only:
            continue
        catalog = load_catalog(owner)
        for msgid, plural in messages.items():
            if catalog.get(msgid) is None:
                guess = known.get(msgid, "")
                catalog.add((msgid, plural) if plural else msgid, (guess, guess) if plural else guess)
                added += 1
        path = po_file(owner)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, width=0, ignore_obsolete=True)
    return added


if __name__ == "__main__":
    if "--update" in sys.argv:
        rest = [a for a in sys.argv[1:] if not a.startswith("--")]
        print(f"{update(rest[0] if rest else None)} new strings added")
    gaps = missing()
    for msgid in gaps:
        print(f"untranslated: {msgid}")
    sys.exit(1 if gaps and "--check" in sys.argv else 0)
