"""The zh_Hans catalogues of all apps, read together as Django reads them.

Django merges every app's catalogue into one at run time (the first app in INSTALLED_APPS that has a msgid wins),
so a msgid translated differently in two apps is shown one way everywhere, whichever app happens to come first.

How a collision is detected:

1. Same key, two translations: one (msgctxt, msgid) with two different msgstr in any two catalogues fails. When two
   apps really mean two things by one English word, the code says so with a context (`pgettext("person", "name")`).
2. Two senses without a context: some English words name both an action (a button or link) and a state (a value of
   a TextChoices). `TWO_SENSES` lists them with the translations allowed for the bare msgid, which is reserved for
   the action; a state label (any label in a `choices.py`) using one of these words must carry a context. This is
   how "Open" as a period's or a consultation's state was shown as 进入 ("enter"): it shared the button's msgid.
3. The paper's terms: `PAPER_TERMS` fixes the Chinese of the mechanism's own vocabulary (结算期, 未结/已结,
   理事会办公室 …) as the paper writes it (docs/paper/shanghai-metropolitan-area-cooperation-mechanism.zh.txt).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

from metrocoop.core import i18n

TWO_SENSES = {
    "Open": {"进入", "打开"},
    "Closed": set(),  # a state only: every use carries a context
    "Close": {"关闭", "结束", "办结"},
}

PAPER_TERMS = {
    (None, "Period"): "结算期",
    ("settlement", "period"): "结算期",
    ("settlement period state", "Open"): "未结",
    ("settlement period state", "Closed"): "已结",
    (None, "Council office"): "理事会办公室",
}


def catalogues() -> dict[str, dict[tuple[str | None, str], str]]:
    """{app: {(context, msgid): msgstr}} for every zh_Hans catalogue of the package (translated entries only)."""
    out: dict[str, dict[tuple[str | None, str], str]] = {}
    for path in sorted(i18n.PACKAGE.rglob("locale/zh_Hans/LC_MESSAGES/django.po")):
        owner = path.parents[3]
        name = owner.name if owner != i18n.PACKAGE else "metrocoop"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=i18n.LOCALE)
        entries = {}
        for message in catalog:
            if not message.id or not message.string:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
            if msgstr:
                entries[(message.context, msgid)] = msgstr
        out[name] = entries
    return out


def test_no_msgid_has_two_translations_across_the_catalogues():
    seen: dict[tuple[str | None, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app, entries in catalogues().items():
        for key, msgstr in entries.items():
            seen[key][msgstr].append(app)
    collisions = {f"{ctx or ''}|{msgid}": dict(t) for (ctx, msgid), t in seen.items() if len(t) > 1}
    assert collisions == {}


def test_a_state_label_never_shares_the_msgid_of_an_action():
    bare_states = []
    for path in sorted(i18n.PACKAGE.rglob("choices.py")):
        if i18n.SKIP_PARTS & set(path.relative_to(i18n.PACKAGE).parts):
            continue
        for context, msgid, _plural in i18n.python_messages(path):
            if msgid in TWO_SENSES and context is None:
                bare_states.append(f"{path.relative_to(i18n.PACKAGE)}: {msgid}")
    assert bare_states == []


def test_a_bare_two_sense_word_is_translated_as_its_action():
    wrong = [
        f"{app}: {msgid} → {msgstr}"
        for app, entries in catalogues().items()
        for (context, msgid), msgstr in entries.items()
        if context is None and msgid in TWO_SENSES and msgstr not in TWO_SENSES[msgid]
    ]
    # a bare "Closed" nobody uses any more may stay in a catalogue only with the action's translation
    used = i18n.all_keys()
    assert [w for w in wrong if (None, w.split(": ")[1].split(" → ")[0]) in used] == []


def test_the_mechanisms_terms_are_the_papers():
    merged: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for entries in catalogues().values():
        for key, msgstr in entries.items():
            merged[key].add(msgstr)
    for key, term in PAPER_TERMS.items():
        assert merged[key] == {term}, (key, merged[key])


def test_the_period_state_is_shown_as_the_paper_says_in_chinese_and_english():
    from django.utils import translation

    from metrocoop.clearing.choices import PeriodStatus
    from metrocoop.spatial.choices import ConflictStatus

    with translation.override("zh-hans"):
        assert (str(PeriodStatus.OPEN.label), str(PeriodStatus.CLOSED.label)) == ("未结", "已结")
        assert str(ConflictStatus.OPEN.label) == "待处理"
        assert translation.gettext("Open") == "进入"  # the button keeps its own word
    with translation.override("en"):
        assert str(PeriodStatus.OPEN.label) == "Open"


def test_the_extractor_reads_templates_with_djangos_own_lexer(tmp_path):
    template = tmp_path / "t.html"
    template.write_text(
        "{% load i18n %}<h1>{% translate 'Open' context 'conflict state' %}</h1>\n"
        "  <p>{% blocktranslate trimmed count n=rows|length %}\n    {{ n }} row\n"
        "  {% plural %}{{ n }} rows{% endblocktranslate %}</p>\n"
        '<input placeholder="{% translate "Search" %}"> {{ value|default:_("none") }}',
        encoding="utf-8",
    )
    found = set(i18n.template_messages(Path(template)))
    assert found == {
        ("conflict state", "Open", None),
        (None, "%(n)s row", "%(n)s rows"),
        (None, "Search", None),
        (None, "none", None),
    }
