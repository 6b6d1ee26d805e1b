"""Excel exports of the catalogue, the limit values and the recognitions, and the Word report of harmonisation
status by domain (python-docx)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from docx import Document

from metrocoop.core.exports import Target, save, write_xlsx
from metrocoop.core.models import City
from metrocoop.standards import importer, services
from metrocoop.standards.choices import StandardDomain
from metrocoop.standards.models import LimitValue, Parameter, Recognition, Standard

CATALOGUE_HEADERS = [
    *importer.CATALOGUE_COLUMNS,
    "replaces",
    "key_standard",
    "illustrative",
]
#: Readable columns after the import's own (the importers ignore columns they do not know, so the files still import
#: back unchanged): names beside the codes.
CATALOGUE_NAME_HEADERS = ["级别 Level", "领域 Domain", "状态 Status", "重点标准 Key standard"]
LIMIT_NAME_HEADERS = ["城市 City", "限值类型 Limit type"]
RECOGNITION_NAME_HEADERS = ["互认类型 Recognition type", "发证城市 Issuing city", "认可城市 Recognising city"]

LIMIT_HEADERS = ["parameter", "name", "limit_type", "city", "value", "unit", "standard", "category"]
RECOGNITION_HEADERS = [
    "type",
    "issuing_city",
    "recognising_city",
    "basis_document",
    "basis_note",
    "scope",
    "conditions",
    "valid_from",
    "valid_to",
    "illustrative",
]


def catalogue_xlsx(path: Target) -> int:
    rows = Standard.objects.select_related("replaces", "key_entry").order_by("code")

    def lines():
        for s in rows:
            key = getattr(s, "key_entry", None)
            yield (
                s.code,
                s.name_zh,
                s.name_en,
                s.level,
                s.issuer,
                s.domain,
                s.issued_on,
                s.effective_on,
                s.status,
                s.replaces.code if s.replaces_id else "",
                "yes" if key else "",
                "yes" if s.illustrative else "",
                s.get_level_display(),
                s.get_domain_display(),
                s.get_status_display(),
                "是 yes" if key else "否 no",
            )

    return write_xlsx(path, "catalogue", CATALOGUE_HEADERS + CATALOGUE_NAME_HEADERS, lines())


def limits_xlsx(path: Target) -> int:
    """The limit values in the import's own columns: the file imports back unchanged."""
    rows = LimitValue.objects.select_related("parameter", "city", "standard").order_by(
        "parameter__code", "category", "city__sort_order"
    )
    return write_xlsx(
        path,
        "limits",
        LIMIT_HEADERS + LIMIT_NAME_HEADERS,
        (
            (
                lv.parameter.code,
                lv.parameter.name_zh,
                lv.parameter.limit_type,
                lv.city.code,
                lv.value,
                lv.unit,
                lv.standard.code if lv.standard_id else "",
                lv.category,
                lv.city.name_zh,
                lv.parameter.get_limit_type_display(),
            )
            for lv in rows
        ),
    )


def recognitions_xlsx(path: Target) -> int:
    rows = Recognition.objects.select_related("type", "issuing_city", "recognising_city").prefetch_related(
        services.basis_prefetch()
    )
    return write_xlsx(
        path,
        "recognitions",
        RECOGNITION_HEADERS + RECOGNITION_NAME_HEADERS,
        (
            (
                r.type.code,
                r.issuing_city.code,
                r.recognising_city.code,
                r.basis.key if r.basis_id else "",
                r.basis_note,
                r.scope,
                r.conditions,
                r.valid_from,
                r.valid_to,
                "yes" if r.illustrative else "",
                r.type.name_zh,
                r.issuing_city.name_zh,
                r.recognising_city.name_zh,
            )
            for r in rows
        ),
    )


EXPORTS: dict[str, Callable[[Target], int]] = {
    "catalogue": catalogue_xlsx,
    "limits": limits_xlsx,
    "recognitions": recognitions_xlsx,
}


def harmonisation_docx(path: Target) -> Target:
    """For each domain: each parameter's values per category, strictest and loosest, spread, unified or not."""
    doc = Document()
    doc.add_heading("上海大都市圈标准协同情况报告 Harmonisation of limit values by domain", level=0)
    doc.add_paragraph(
        f"生成时间 Generated {timezone.localtime():%Y-%m-%d %H:%M}。数值换算为同一单位比较（pint），"
        "相对误差 1e-9 以内视为相同。Values compared in one unit (pint), equal within a relative tolerance of 1e-9."
    )
    parameters = list(Parameter.objects.order_by("domain", "code"))
    names = dict(City.objects.values_list("code", "name_zh"))
    if any(lv.illustrative for lv in LimitValue.objects.only("illustrative")):
        doc.add_paragraph("注：标记为“示意”的数值为演示数据。Note: values marked illustrative are demo data.")
    for domain in StandardDomain:
        in_domain = [p for p in parameters if p.domain == domain.value]
        if not in_domain:
            continue
        doc.add_heading(f"{domain.label}", level=1)
        unified = 0
        total = 0
        for p in in_domain:
            for category, h in services.by_category(p).items():
                total += 1
                unified += h.unified
                doc.add_heading(f"{p.code} {p.name_zh} {category}".strip(), level=2)
                table = doc.add_table(rows=1, cols=5)
                table.style = "Table Grid"
                for cell, text in zip(
                    table.rows[0].cells,
                    ("城市 City", f"限值 Limit ({h.unit or '-'})", "原值 As written", "标准 Standard", ""),
                    strict=True,
                ):
                    cell.text = text
                strict = {e.city for e in h.strictest}
                for c in h.cities:
                    cells = table.add_row().cells
                    cells[0].text = names.get(c.city, c.city)
                    cells[1].text = f"{c.value:g}"
                    cells[2].text = f"{c.original_value:g} {c.original_unit}"
                    cells[3].text = c.standard
                    cells[4].text = "最严 strictest" if c.city in strict else ""
                doc.add_paragraph(
                    ("已统一 unified" if h.unified else "未统一 not unified")
                    + f"；差距 spread {h.spread:g} {h.unit}；"
                    + (
                        "宽于最严值的城市 looser than the strictest: "
                        + "、".join(names.get(c, c) for c in h.out_of_line)
                        if h.out_of_line
                        else ""
                    )
                )
        doc.add_paragraph(f"本领域 {total} 项比较中 {unified} 项已统一。{unified} of {total} comparisons unified.")
    return save(doc, path)
