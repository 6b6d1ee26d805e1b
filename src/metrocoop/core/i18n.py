"""Our message catalogue: extract every translatable string of the platform and check the Chinese catalogue.

Django's makemessages needs GNU gettext; this uses Babel (already a dependency, it compiles the catalogues in
`make run`) so that a test can fail when a page gains a string nobody translated.

    python -m metrocoop.core.i18n --update   add new strings to locale/zh_Hans/LC_MESSAGES/django.po
    python -m metrocoop.core.i18n --check    list strings without a Chinese translation (exit 1 if any)
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
PO_FILE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
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


def extract() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if any(part in {"migrations", "tests", "vendor", "__pycache__"} for part in path.parts):
            continue
        if path.suffix == ".html":
            messages = template_messages(path)
        elif path.suffix == ".py" and path.name != "i18n.py":
            messages = python_messages(path)
        else:
            continue
        for msgid, plural in messages:
            if msgid:
                found.setdefault(msgid, plural)
    return found


def load_catalog() -> Catalog:
    if PO_FILE.exists():
        with PO_FILE.open("rb") as fh:
            return read_po(fh, locale="zh_Hans")
    return Catalog(locale="zh_Hans", project="MetroCoop")


def missing() -> list[str]:
    catalog = load_catalog()
    out = []
    for msgid, plural in extract().items():
        key = (msgid, plural) if plural else msgid
        message = catalog.get(key if not plural else msgid)
        string = message.string if message else None
        if isinstance(string, tuple):
            string = string[0]
        if not string:
            out.append(msgid)
    return out


def update() -> int:
    catalog = load_catalog()
    added = 0
    for msgid, plural in extract().items():
        if catalog.get(msgid) is None:
            catalog.add((msgid, plural) if plural else msgid, ("", "") if plural else "")
            added += 1
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PO_FILE.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, width=0)
    return added


if __name__ == "__main__":
    if "--update" in sys.argv:
        print(f"{update()} new strings added to {PO_FILE}")
    gaps = missing()
    for msgid in gaps:
        print(f"untranslated: {msgid}")
    sys.exit(1 if gaps and "--check" in sys.argv else 0)
