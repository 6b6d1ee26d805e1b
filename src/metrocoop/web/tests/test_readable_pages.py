"""Issue 20: explanations people can read. Every page reachable from the navigation, rendered in Chinese on the demo
data as the office, a city liaison, an expert and an anonymous visitor, must show no bare fraction (3333/10000), no
Python dict or JSON literal, no `*_fen` key and no English engine step. English that is meant to be English (a
document's English title, a citation) is marked `lang="en"` on its element and is not counted, nor are identifiers
shown as `<code>` (a ledger id, an import file's column names)."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from fractions import Fraction
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import translation

from metrocoop.core import explain_render
from metrocoop.core.testing import demo_world_rolled_back
from metrocoop.web.modules import MODULES

# pages that are not read but fetched (downloads), change state or leave the page shell
SKIP_PREFIXES = ("/static/", "/api/", "/i18n/", "/logout/", "/language/", "/media/", "/favicon", "/jobs/")
SKIP_PARTS = ("export", "download", "xlsx", "docx", "geojson", "shapefile", "format=", "/attachments/")
PER_ROUTE = 2  # every route, at most this many of its rows (a list page and one detail page are the same template)

FRACTION = re.compile(r"(?<![\d/.\w:])\d+/\d+(?![\d/\w])")
DICT_OR_JSON = re.compile(r"""\{\s*['"][^'"]*['"]\s*:|\[\s*\{|\{\s*\}|\[\s*\[""")
FEN_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)*_fen\b")
# a run of English words (numbers may stand between them) ...
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[\s,;:()\d.+−-]*[A-Za-z][A-Za-z'’-]*)*")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _is_sentence(run: str) -> bool:
    """... is a sentence (an engine step) when it has three words or more, two of them lower-case words: "CZ pays SZ
    2,349,072 fen", "3 of 6 items completed"; not a unit ("mg/L"), a code ("GB 18918") or a name ("PM2.5")."""
    words = WORD.findall(run)
    return len(words) >= 3 and sum(1 for w in words if len(w) >= 2 and w.islower()) >= 2


class _ReadableText(HTMLParser):
    """The text a person reads (data and titles), without scripts, styles and elements marked as English."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: hidden from the check (script, style, lang="en")
        self.code: set[int] = set()  # indexes of texts inside <code> (identifiers, column names: not sentences)
        self._code_depth = 0

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        hidden = tag in ("script", "style", "template") or (attributes.get("lang") or "").startswith("en")
        if not (hidden or self._hidden()):
            for key in ("title", "aria-label", "placeholder"):
                if attributes.get(key):
                    self.texts.append(attributes[key])
        if tag == "code":
            self._code_depth += 1
        if tag not in self.VOID:
            self._stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        if tag == "a":
            self.handle_starttag(tag, attrs)
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag == "code" and self._code_depth:
            self._code_depth -= 1
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            if self._code_depth:
                self.code.add(len(self.texts))
            self.texts.append(data.strip())


def unreadable(html: str) -> list[tuple[str, str, str]]:
    """(what, match, text) for every bare fraction, dict/JSON literal, `_fen` key and English sentence in the page."""
    parser = _ReadableText()
    parser.feed(html)
    found = []
    for index, text in enumerate(parser.texts):
        for what, pattern in (("fraction", FRACTION), ("dict/JSON", DICT_OR_JSON), ("_fen key", FEN_KEY)):
            found += [(what, m.group(0), text[:200]) for m in pattern.finditer(text)]
        if index in parser.code:
            continue  # an identifier or a column list, not a sentence
        found += [("English", m.group(0), text[:200]) for m in ENGLISH_RUN.finditer(text) if _is_sentence(m.group(0))]
    return found


def crawl(client, start: list[str]) -> dict[str, str]:
    """GET every page reachable by link from `start` (each route at most PER_ROUTE times): url → HTML."""
    seen: set[str] = set()
    per_route: dict[str, int] = defaultdict(int)
    queue, pages = deque(start), {}
    while queue:
        url = queue.popleft().split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        try:
            route = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        route += "?" if "?" in url else ""
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        pages[url] = html
        parser = _ReadableText()
        parser.feed(html)
        for href in parser.links:
            if href.startswith("/") and not href.startswith(SKIP_PREFIXES) and not any(p in href for p in SKIP_PARTS):
                queue.append(href)
    return pages


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo data of every module, loaded once for this file inside a transaction rolled back afterwards."""
    from metrocoop.clearing import demo_data as clearing_demo

    claims = clearing_demo.DEMO_CLAIMS
    clearing_demo.DEMO_CLAIMS = 400  # the pages, not the volume
    try:
        with demo_world_rolled_back(django_db_blocker):
            yield
    finally:
        clearing_demo.DEMO_CLAIMS = claims


# --- the checker can fail --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "what"),
    [
        ("<p>出资比例 3333/10000</p>", "fraction"),
        ("<td>71651/10</td>", "fraction"),
        ("<code>{'sum_gdp': 1}</code>", "dict/JSON"),
        ('<pre>{"weights": {"completion": "0.45"}}</pre>', "dict/JSON"),
        ("<li>target_fen 2000</li>", "_fen key"),
        ("<li>CZ pays SZ 2,349,072 fen</li>", "English"),
        ("<li>3 of 6 items completed</li>", "English"),
        ('<span title="Each city is weighted by its share">i</span>', "English"),
    ],
)
def test_the_checker_finds_what_people_cannot_read(html, what):
    assert what in {w for w, _m, _t in unreadable(f"<html><body>{html}</body></html>")}


@pytest.mark.parametrize(
    "html",
    [
        "<p>常州向苏州支付 23,490.72 元；占比 33.33%；2026-08 期</p>",
        '<p lang="en">Discharge standard of pollutants for municipal wastewater</p>',
        '<script>var x = {"a": 1};</script><a href="/a/b/c/?page=2">下一页</a>',
        "<p>GB 18918-2002 mg/L</p>",
        "<p>列：<code>code,name_zh,name_en,level,issuer</code></p>",
    ],
)
def test_the_checker_lets_readable_text_pass(html):
    assert unreadable(f"<html><body>{html}</body></html>") == []


# --- the renderer ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "zh", "en"),
    [
        ("CZ pays SZ 2,349,072 fen", "常州向苏州支付 23,490.72 元", "Changzhou pays Suzhou 23,490.72 yuan"),
        ("3 of 6 items completed", "牵头 6 项，已完成 3 项", "3 of 6 items completed"),
        ("majority: 8/9 > 1/2 → passed", "占参加表决 9 个席位的 88.89%，须超过 50% → 通过", "0.8889 > 0.5"),
        (
            {"text_en": "Target", "text_zh": "目标", "values": {"sum_gdp": "71651/10", "target_fen": 20000000000}},
            "目标（GDP 合计：7,165.1；目标金额：200,000,000.00 元）",
            "Target (GDP total: 7,165.1; target: 200,000,000.00 yuan)",
        ),
        (
            {
                "key": "w",
                "label_zh": "权重",
                "text_en": "Each share",
                "values": {"share": {"SZ": Fraction(3333, 10000)}},
            },
            "权重（占比：苏州：33.33%）",
            "Each share (share: Suzhou: 33.33%)",
        ),
    ],
)
def test_engine_steps_are_sentences_in_the_active_language(reference, step, zh, en):
    with translation.override("zh-hans"):
        assert zh in str(explain_render.render_steps([step])[0])
    with translation.override("en"):
        assert en in str(explain_render.render_steps([step])[0])


# --- every page ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["office", "liaison-sz", "expert", None])
def test_every_page_in_chinese_reads_without_fractions_dicts_fen_keys_or_english_steps(
    demo_site, browser_client, username
):
    # given the demo data and the interface in Chinese
    client = browser_client(username)
    client.cookies["metrocoop_language"] = "zh-hans"
    start = ["/", "/audit/", "/notifications/", *[m.url for m in MODULES]]
    # when every page reachable from the navigation is rendered
    pages = crawl(client, start)
    assert len(pages) > 40
    # then none shows a fraction, a dict or JSON literal, a `_fen` key or an English engine step
    problems = [(url, *finding) for url, html in pages.items() for finding in unreadable(html)]
    assert problems == [], "\n".join(map(str, problems[:40])) + f"\n… {len(problems)} in all"


# --- the audit trail ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_audit_trail_names_models_fields_and_people_in_one_stated_time_zone(browser_client, reference):
    # given a liaison who changed the city's positioning
    browser_client("liaison-zs").post(
        "/cities/ZS/profile/edit/",
        {"description_zh": "", "description_en": "", "positioning": "海上花园城市", "contact": ""},
    )
    # when the auditor reads the trail in Chinese
    html = browser_client("auditor").get("/audit/", {"model": "core.city"}).content.decode()
    table = html.split('data-testid="audit-table"', 1)[1].split("</table>", 1)[0]
    # then the model and the field are named, not coded, and the time zone is said once, in the header
    assert "目标定位" in table and "城市" in table and "海上花园城市" in table
    assert "core.city" not in table and "<code>positioning</code>" not in table
    assert "Asia/Shanghai" in html.split('data-testid="audit-table"', 1)[1].split("</thead>", 1)[0]
    assert unreadable(html) == []


@pytest.mark.django_db
def test_the_audit_trail_shows_a_related_row_by_its_name(browser_client, reference, demo_users):
    from metrocoop.core.audit import acting
    from metrocoop.core.models import City, Organisation

    # given an organisation moved to another city (a foreign key) by the office
    org = Organisation.objects.select_related("city").filter(city__isnull=False).first()
    before = org.city
    target = City.objects.exclude(pk=org.city_id).order_by("code").first()
    with acting(demo_users["office"]):
        org.city = target
        org.save()
    # when the office reads the organisations' trail
    html = browser_client("office").get("/audit/", {"model": "core.organisation"}).content.decode()
    table = html.split('data-testid="audit-table"', 1)[1].split("</table>", 1)[0]
    # then the change of city names both cities, not their ids
    city_changes = re.findall(
        r'城市</span>: <span class="text-danger"[^>]*>([^<]*)</span> → <span class="text-success"[^>]*>([^<]*)</span>',
        table,
    )
    assert (before.name_zh, target.name_zh) in city_changes
    assert (str(before.pk), str(target.pk)) not in city_changes
