"""Our message catalogues: extract every translatable string and check the Chinese translations.

Each app keeps its own catalogue, `<app>/locale/zh_Hans/LC_MESSAGES/django.po` (Django finds app locale
directories by itself), so that people working on different apps never edit the same file. Strings of modules
outside an app (`metrocoop/*.py`) go to `metrocoop/locale`.

Django's makemessages needs GNU gettext's xgettext; this runs the same first step (Django's `templatize`, which
turns a template into the gettext calls Django will make) and reads the result, and the Python modules, with Babel's
Python extractor (Babel is a dependency already: `make` compiles the catalogues with it), so that a test can fail
when a page gains a string nobody translated. Strings are keyed by (context, msgid): `pgettext("period state",
"Open")` and `gettext("Open")` are two entries. Django merges every app's catalogue into one at run time, so
`core/tests/test_catalogues.py` checks the catalogues against each other (see there for the collision rules).

    python -m metrocoop.core.i18n --update [APP]   add new strings to the app catalogues (all apps by default)
    python -m metrocoop.core.i18n --check          list strings without a Chinese translation (exit 1 if any)
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
SKIP_PARTS = {"migrations", "tests", "vendor", "__pycache__", "locale", "static"}

# (context or None, msgid) -> msgid_plural or None
Key = tuple[str | None, str]
Message = tuple[str | None, str, str | None]  # (context, msgid, msgid_plural)


def _python_source_messages(source: bytes) -> Iterator[Message]:
    for _lineno, funcname, messages, _comments in extract_python(io.BytesIO(source), KEYWORDS, [], {}):
        if isinstance(messages, str):
            yield None, messages, None
            continue
        strings = list(messages)
        context = None
        if funcname.startswith(("pgettext", "npgettext")):
            context, strings = strings[0], strings[1:]
        strings = [m for m in strings if isinstance(m, str)]
        if strings:
            yield context, strings[0], (strings[1] if len(strings) > 1 else None)


def template_messages(path: Path) -> Iterator[Message]:
    """Django's own template lexer (`templatize`, what `makemessages` runs) turns the template into Python calls
    (gettext, pgettext, ngettext, npgettext …), which Babel's Python extractor then reads: {% translate %} and
    {% blocktranslate %} with `context`, `count`/`plural`, `trimmed` and `_("…")` in filters are understood exactly
    as Django renders them."""
    source = path.read_text(encoding="utf-8")
    code = templatize(source, origin=str(path))
    # templatize keeps the template's layout (written for xgettext); Python's tokenizer wants no indentation
    code = "\n".join(line.lstrip() for line in code.splitlines())
    yield from _python_source_messages(code.encode("utf-8"))


def python_messages(path: Path) -> Iterator[Message]:
    yield from _python_source_messages(path.read_bytes())


def catalogue_dir(path: Path) -> Path:
    """The package directory whose catalogue holds the strings of `path` (its app, or metrocoop itself)."""
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1 and (PACKAGE / rel.parts[0] / "apps.py").exists():
        return PACKAGE / rel.parts[0]
    return PACKAGE


def po_file(owner: Path) -> Path:
    return owner / "locale" / LOCALE / "LC_MESSAGES" / "django.po"


def extract() -> dict[Path, dict[Key, str | None]]:
    """{catalogue owner directory: {(context, msgid): msgid_plural}} for every string of the package."""
    found: dict[Path, dict[Key, str | None]] = {}
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
        for context, msgid, plural in messages:
            if msgid:
                owner.setdefault((context, msgid), plural)
    return found


def all_messages() -> dict[str, str | None]:
    """{msgid: msgid_plural} over the whole package (contexts merged)."""
    merged: dict[str, str | None] = {}
    for messages in extract().values():
        for (_context, msgid), plural in messages.items():
            merged.setdefault(msgid, plural)
    return merged


def all_keys() -> set[Key]:
    """Every (context, msgid) the code uses."""
    return {key for messages in extract().values() for key in messages}


def load_catalog(owner: Path) -> Catalog:
    path = po_file(owner)
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=LOCALE)
    return Catalog(locale=LOCALE, project="MetroCoop", fuzzy=False)


def _translation(catalog: Catalog, msgid: str, context: str | None = None) -> str:
    message = catalog.get(msgid, context=context)
    string = message.string if message else ""
    if isinstance(string, tuple):
        string = string[0]
    return string or ""


def missing() -> list[str]:
    """Strings without a Chinese translation in their own app's catalogue."""
    out = []
    for owner, messages in extract().items():
        catalog = load_catalog(owner)
        out += [
            f"{owner.name}: {msgid}" + (f" (context {context})" if context else "")
            for context, msgid in messages
            if not _translation(catalog, msgid, context)
        ]
    return out


def update(only: str | None = None) -> int:
    """Add new strings to their catalogues; a translation another catalogue already has is reused."""
    extracted = extract()
    known: dict[Key, str] = {}
    for owner in extracted:
        for message in load_catalog(owner):
            if message.id and message.string:
                key = (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
                known.setdefault(key, message.string[0] if isinstance(message.string, tuple) else message.string)
    added = 0
    for owner, messages in extracted.items():
        if only and owner.name != only:
            continue
        catalog = load_catalog(owner)
        for (context, msgid), plural in messages.items():
            if catalog.get(msgid, context=context) is None:
                guess = known.get((context, msgid), "")
                catalog.add((msgid, plural) if plural else msgid, (guess, guess) if plural else guess, context=context)
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
