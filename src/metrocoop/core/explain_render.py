"""Engine explanations for people: every engine step rendered as a sentence in the active language.

Engines are pure and carry their steps in several shapes (a bilingual ``Step`` with ``text_zh``/``text_en`` and
``values``; an indicator ``Step`` with ``label_zh``, ``text_en``, ``formula``, ``values`` and ``result``; a plain
English string; the same as stored JSON dicts). This module is the one place that turns any of them into text a
person reads: amounts in 元 with the unit (never ``*_fen`` keys), shares and weights as percentages (never
``3333/10000``), city codes as city names, value maps as "label: value" phrases (never a dict or JSON literal) and,
in the Chinese interface, Chinese sentences (never "CZ pays SZ 2,349,072 fen").

Templates call it through ``{% load explain %}``: ``{% for s in steps|explained %}<li>{{ s }}</li>{% endfor %}``.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.signals import request_started
from django.db.models.signals import post_save
from django.utils.translation import get_language

from metrocoop.core.money import yuan

# a fraction "a/b", also before "/n" ("1/5/n"); not a date ("2026/08/01") nor part of a word or a decimal
_FRACTION = re.compile(r"(?<![\w/.])(-?\d+)/(\d+)(?![\w.])(?!/\d)")
_FEN_ZH = re.compile(r"(?<![\d.])(\d+) 分(?![\u3400-\u9fff])")
_FEN_AMOUNT = re.compile(r"(-?[\d,]+) fen\b")
_DECIMAL_REPR = re.compile(r"Decimal\('(-?[\d.]+)'\)")
# keys whose value is a share of a whole (shown as a percentage)
_SHARE_KEYS = re.compile(r"(share|weight|ratio|rate|proportion)", re.I)


@dataclass(frozen=True)
class Sentence:
    """One rendered step: the sentence, an optional formula and optional "label: value" details."""

    text: str
    formula: str = ""
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [self.text]
        if self.details:
            parts.append("（" + "；".join(self.details) + "）" if _zh() else "(" + "; ".join(self.details) + ")")
        return "".join(parts) if _zh() else " ".join(parts)

    @property
    def details_text(self) -> str:
        return ("；" if _zh() else "; ").join(self.details)


def _zh() -> bool:
    return not (get_language() or "zh-hans").startswith("en")


# --- names --------------------------------------------------------------------------------------------------------


_NAMES_CACHE: dict[bool, tuple[float, dict[str, str]]] = {}
_NAMES_TTL_S = 60.0  # a page renders many explanations; city names change rarely (and a save clears this)


def forget_city_names(**_kwargs: Any) -> None:
    _NAMES_CACHE.clear()


# read once per request (and again after a city is saved), not once per explanation
request_started.connect(forget_city_names, dispatch_uid="explain_render.city_names.request")
post_save.connect(forget_city_names, sender="core.City", dispatch_uid="explain_render.city_names.save")


def city_names() -> dict[str, str]:
    """City code → name in the active language (every city ever a member; a code not found stays as it is)."""
    zh = _zh()
    cached = _NAMES_CACHE.get(zh)
    if cached is not None and time.monotonic() - cached[0] < _NAMES_TTL_S:
        return cached[1]
    names = _load_city_names(zh)
    _NAMES_CACHE[zh] = (time.monotonic(), names)
    return names


def _load_city_names(zh: bool) -> dict[str, str]:
    from metrocoop.core.models import City

    return {
        code: (name_zh if zh else name_en) or code
        for code, name_zh, name_en in City.objects.values_list("code", "name_zh", "name_en")
    }


def _names_in(text: str, names: Mapping[str, str]) -> str:
    """Every standalone city code in ``text`` replaced by the city's name."""
    if not names:
        return text
    pattern = re.compile(
        r"(?<![A-Za-z])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?![A-Za-z])"
    )
    return pattern.sub(lambda m: names[m.group(1)], text)


# --- numbers ------------------------------------------------------------------------------------------------------


def _as_number(value: Any) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, float | Decimal):
        return Fraction(str(value))
    if isinstance(value, str):
        text = value.strip()
        match = _FRACTION.fullmatch(text)
        if match:
            return Fraction(int(match.group(1)), int(match.group(2)))
        try:
            return Fraction(Decimal(text.replace(",", "")))
        except (InvalidOperation, ValueError):
            return None
    return None


def percent(value: Any, decimals: int = 2) -> str:
    """A share 0..1 as a percentage: Fraction(3333, 10000) → "33.33%"."""
    number = _as_number(value)
    if number is None:
        return str(value)
    text = f"{float(number) * 100:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def decimal_text(value: Any, decimals: int = 4) -> str:
    """A number without fractions: 71651/10 → "7,165.1"; whole numbers with thousands separators."""
    number = _as_number(value)
    if number is None:
        return str(value)
    if number.denominator == 1:
        return f"{number.numerator:,}"
    text = f"{float(number):,.{decimals}f}".rstrip("0").rstrip(".")
    return text


def money(fen: Any) -> str:
    """Integer fen as 元 with the unit: 234907200 → "2,349,072.00 元" ("yuan" in English)."""
    return f"{yuan(fen)} 元" if _zh() else f"{yuan(fen)} yuan"


# key → (Chinese label, English label) for the values engines attach to steps
_LABELS = {
    "sum_gdp": ("GDP 合计", "GDP total"),
    "sum_revenue": ("财政收入合计", "revenue total"),
    "target_fen": ("目标金额", "target"),
    "amount_fen": ("金额", "amount"),
    "total_fen": ("总额", "total"),
    "pool_fen": ("资金池", "pool"),
    "raw_fen": ("按比例金额", "amount by share"),
    "floor_fen": ("下限", "floor"),
    "cap_fen": ("上限", "cap"),
    "reward_fen": ("奖励", "reward"),
    "compensation_fen": ("补偿", "compensation"),
    "need_fen": ("需求", "need"),
    "n": ("城市数", "cities"),
    "share": ("占比", "share"),
    "weight": ("权重", "weight"),
    "weights": ("权重", "weights"),
    "cities": ("城市", "cities"),
    "sum": ("合计", "sum"),
    "mean": ("均值", "mean"),
    "max": ("最大值", "highest"),
    "min": ("最小值", "lowest"),
    "population": ("人口", "population"),
    "revenue": ("财政收入", "revenue"),
    "gdp": ("GDP", "GDP"),
    "total": ("合计", "total"),
    "base_weight": ("平均分摊权重", "equal part"),
    "gdp_weight": ("GDP 权重", "GDP weight"),
    "revenue_weight": ("财政收入权重", "revenue weight"),
    "basis_year": ("基准年", "basis year"),
    # indicators
    "sum_squared_deviations": ("离差平方和", "sum of squared deviations"),
    "rank_weighted_sum": ("按位次加权之和", "rank-weighted sum"),
    "max_possible": ("可能的最大值", "largest possible value"),
    "cv_slope": ("变异系数的年变化", "change of the CV per year"),
    "sd_log_slope": ("对数标准差的年变化", "change of the sd of logs per year"),
    "sd": ("标准差", "standard deviation"),
    "sd_log": ("对数标准差", "sd of logs"),
    "cv": ("变异系数", "coefficient of variation"),
    "weighted_sd": ("加权标准差", "weighted standard deviation"),
    "weighted_mean": ("加权均值", "weighted mean"),
    "terms": ("各项", "terms"),
    "intercept": ("截距", "intercept"),
    "b": ("斜率 b", "slope b"),
    "a": ("截距 a", "intercept a"),
    "se_b": ("b 的标准误", "standard error of b"),
    "r_squared": ("R²", "R²"),
    "half_life": ("半衰期（年）", "half-life (years)"),
    "years": ("年份", "years"),
    "dropped": ("未纳入的城市", "cities left out"),
    "rank": ("位次", "rank"),
    "order": ("顺序", "order"),
    "shares": ("占比", "shares"),
    "iterations": ("迭代次数", "iterations"),
    "converged": ("已收敛", "converged"),
    "deviance": ("偏差", "deviance"),
    "null_deviance": ("零模型偏差", "null deviance"),
    "dispersion": ("离散参数", "dispersion"),
    "value": ("数值", "value"),
    "city": ("城市", "city"),
    "code": ("代码", "code"),
    "functions": ("功能", "functions"),
    "statements": ("表述", "statements"),
    "completion": ("完成率", "completion"),
    "timeliness": ("及时率", "timeliness"),
    "quality": ("质量", "quality"),
    "unrated_quality": ("未评分事项的质量", "quality when unrated"),
    "payout": ("奖励与补偿", "rewards and compensation"),
    "reward_pool_fen": ("奖励资金池", "reward pool"),
    "reward_shares": ("前几名的奖励份数", "reward parts of the top ranks"),
    "compensation_threshold": ("补偿线（得分）", "compensation threshold (score)"),
    "compensation_per_point_fen": ("每差一分的补偿", "compensation per point"),
    "compensation_cap_fen": ("补偿上限", "compensation cap"),
    "assistance": ("对欠发达地区的援助", "assistance to lagging areas"),
    "threshold_share": ("援助线（占区域人均的比例）", "threshold (share of the regional mean)"),
    "gap_share": ("弥补差距的比例", "share of the gap made up"),
    "fen_per_unit": ("每单位折合金额", "amount per unit"),
}


LABEL_KEYS = frozenset(_LABELS)
# single words engines give as results
_WORDS_ZH = {
    "converging": "收敛（差距缩小）",
    "diverging": "发散（差距扩大）",
    "no-trend": "无明显趋势",
    "True": "是",
    "False": "否",
}


def label(key: str) -> str:
    """A readable label for an engine value key: "sum_gdp" → "GDP 合计"; unknown keys lose ``_fen`` and ``_``."""
    zh_en = _LABELS.get(key)
    if zh_en:
        return zh_en[0] if _zh() else zh_en[1]
    return re.sub(r"_fen$", "", key).replace("_", " ")


def value_text(key: str, value: Any, names: Mapping[str, str] | None = None) -> str:
    """One engine value as people read it: money in 元, shares in %, names for city codes, lists joined."""
    names = names or {}
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        sep, join = ("：", "；") if _zh() else (": ", "; ")
        return join.join(
            f"{names.get(str(k), label(str(k)))}{sep}"
            f"{value_text(key if str(k) in names or _SHARE_KEYS.search(key) else str(k), v, names)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return ("、" if _zh() else ", ").join(value_text(key, v, names) for v in value)
    if key.endswith("_fen") or key == "fen_per_unit":
        number = _as_number(value)
        return money(round(number)) if number is not None else str(value)
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, str) and _zh() and value in _WORDS_ZH:
        return _WORDS_ZH[value]
    number = _as_number(value)
    if number is None:
        return sentence_text(str(value), names)
    if _SHARE_KEYS.search(key) and abs(number) <= 1:
        return percent(number)
    return decimal_text(number)


def details(values: Mapping[str, Any] | None, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """ "label: value" phrases for a step's values (nothing for an empty map)."""
    if not values:
        return ()
    names = names if names is not None else city_names()
    sep = "：" if _zh() else ": "
    return tuple(f"{names.get(str(k), label(str(k)))}{sep}{value_text(str(k), v, names)}" for k, v in values.items())


# --- plain-English engine steps -----------------------------------------------------------------------------------


def _read_sentences() -> list[tuple[re.Pattern[str], str]]:
    """(pattern on the English step, Chinese sentence) from data/explain_sentences.toml: the engines of council,
    clearing, standards and spatial write their steps as English strings; the Chinese interface shows these
    sentences instead. Groups are named; city lists and amounts are turned into names and 元 afterwards."""
    with (Path(__file__).resolve().parent / "data" / "explain_sentences.toml").open("rb") as fh:
        return [(re.compile(s["en"]), s["zh"]) for s in tomllib.load(fh)["sentence"]]


_ZH_PATTERNS = _read_sentences()

_FIELDS_ZH = {"amount_fen": "金额", "duration_months": "期限（月）", "threshold": "门槛", "condition": "条件"}


def _unquote_list(text: str) -> str:
    return "、".join(part.strip().strip("'\"") for part in text.split(",") if part.strip()) or "—"


_FAMILIES_ZH = {"rail": "轨道线路", "corridor": "生态廊道"}
_KINDS_ZH = {"outfall": "排污口", "port": "港口", "industrial_park": "工业园区", "water_intake": "取水口"}


def _outcome_zh(outcome: str) -> str:
    return "通过" if outcome == "passed" else "未通过"


def _members_zh(members: str) -> str:
    out = []
    for part in members.split(", "):
        city, _sep, amount = part.rpartition(" ")
        try:
            fen = int(amount.replace(",", "").replace("+", ""))
        except ValueError:
            out.append(part)
            continue
        out.append(f"{city} {'应收' if fen > 0 else '应付'} {money(abs(fen))}")
    return "、".join(out)


def _translate_plain(text: str) -> str | None:
    for pattern, template in _ZH_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        fields = dict(match.groupdict())
        if "gaps" in fields:
            pairs = re.findall(r"'(\w+)': (\d+)", fields["gaps"])
            fields["gaps_zh"] = "；".join(f"{c} {n}" for c, n in pairs)
        if "field" in fields:
            fields["field_zh"] = _FIELDS_ZH.get(fields["field"], label(fields["field"]))
            value = _DECIMAL_REPR.sub(lambda m: m.group(1), fields["v"]).strip("'\"")
            if fields["field"].endswith("_fen") and value.isdigit():
                value = money(int(value))
            fields["v_zh"] = value
            fields["cities_zh"] = "无" if fields["cities"] == "none" else fields["cities"].replace(", ", "、")
        if "dir" in fields:
            fields["dir_zh"] = "越高" if fields["dir"] == "higher" else "越低"
            fields["s_zh"], fields["l_zh"] = _unquote_list(fields["s"]), _unquote_list(fields["l"])
        if "family" in fields:
            fields["family_zh"] = _FAMILIES_ZH.get(fields["family"], fields["family"])
        if "kind" in fields:
            fields["kind_zh"] = _KINDS_ZH.get(fields["kind"], fields["kind"])
        if "outcome" in fields:
            fields["outcome_zh"] = _outcome_zh(fields["outcome"])
        if "share" in fields:
            fields["share_pct"] = (
                percent(fields["share"]) if _as_number(fields["share"]) is not None else fields["share"]
            )
        if "yes" in fields and "n" in fields and int(fields["n"]):
            fields["yes_pct"] = percent(Fraction(int(fields["yes"]), int(fields["n"])))
        if "amount" in fields:
            fields["amount_yuan"] = money(int(fields["amount"].replace(",", "")))
        if "members" in fields:
            fields["members_zh"] = _members_zh(fields["members"])
        if "cities" in fields:
            fields["cities"] = fields["cities"].replace(", ", "、")
        return template.format(**fields)
    return None


_CJK = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_ASIDE = re.compile(r"\s*\((?=[^()]*[a-z]{3})[^()\u3400-\u9fff]*\)")
_LIST_COMMA = re.compile(r"(?<=[\u3400-\u9fff]), (?=[\u3400-\u9fff])")
_BOTH_HALVES = re.compile(r"(?:(?<=[）)])|\s)/\s")
_CJK_THEN_ENGLISH = re.compile(r"^(?P<zh>[\u3400-\u9fff（）]+) (?P<en>[a-z][a-z ]*?)(?P<rest>(?: [^a-z].*|[:=].*)?)$")


def _one_language(text: str) -> str:
    """The active language's half of a line an engine wrote in both: "统一单位 mg/L / common unit mg/L", or
    "最严 strictest 4: SH" (a Chinese word then its English)."""
    zh = _zh()
    halves = _BOTH_HALVES.split(text, maxsplit=1)
    left, right = [*halves, ""][:2]
    if len(halves) == 2 and _CJK.search(left) and len(re.findall(r"\b[a-z]{2,}\b", right)) >= 2:
        return left if zh else right
    match = _CJK_THEN_ENGLISH.match(text)
    if match:
        return match.group("zh") + match.group("rest") if zh else match.group("en") + match.group("rest")
    return text


def sentence_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """A free-text engine line made readable: Chinese for known English steps, 元 for fen, decimals for fractions,
    names for city codes. Text with nothing to change comes back as it is."""
    names = names if names is not None else city_names()
    text = _one_language(text.strip())
    if _zh():
        translated = _translate_plain(text)
        if translated is not None:
            text = translated
    text = _DECIMAL_REPR.sub(lambda m: m.group(1), text)
    text = _FEN_ZH.sub(lambda m: money(int(m.group(1))), text)
    text = _FEN_AMOUNT.sub(lambda m: money(int(m.group(1).replace(",", ""))), text)
    text = _FRACTION.sub(lambda m: decimal_text(Fraction(int(m.group(1)), int(m.group(2)))), text)
    text = _names_in(text, names)
    return _LIST_COMMA.sub("、", text) if _zh() else text


# --- steps --------------------------------------------------------------------------------------------------------


def _get(step: Any, key: str, default: Any = None) -> Any:
    if isinstance(step, Mapping):
        return step.get(key, default)
    return getattr(step, key, default)


def render_step(step: Any, names: Mapping[str, str] | None = None) -> Sentence:
    """One engine step (any shape the engines use) as a sentence in the active language."""
    names = names if names is not None else city_names()
    zh = _zh()
    if isinstance(step, str):
        return Sentence(sentence_text(step, names))
    values = _get(step, "values") or {}
    formula = _get(step, "formula") or ""
    text_zh, text_en = _get(step, "text_zh"), _get(step, "text_en")
    label_zh = _get(step, "label_zh")
    if text_zh or text_en:
        text = (text_zh or text_en) if zh else (text_en or text_zh)
        if label_zh and not text_zh:  # an indicator step: a Chinese caption, the explanation in English only
            text = label_zh if zh else text_en
    else:
        text = label_zh or str(_get(step, "key", ""))
    extra = list(details(values, names) if isinstance(values, Mapping) else ())
    result = _get(step, "result")
    if result is not None and not isinstance(result, Mapping | list | tuple):
        extra.append(("结果：" if zh else "result: ") + value_text(str(_get(step, "key", "")), result, names))
    if zh and formula:  # a formula's English aside, "(values are per capita)", is said by the sentence already
        formula = _ENGLISH_ASIDE.sub("", formula)
    return Sentence(sentence_text(str(text), names), formula=formula, details=tuple(extra))


def render_steps(steps: Iterable[Any] | None) -> list[Sentence]:
    """Every step of an explanation rendered (one query for the city names)."""
    if not steps:
        return []
    names = city_names()
    return [render_step(s, names) for s in steps]
