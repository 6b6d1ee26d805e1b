"""`metrocoop standards import-limits | harmonise | recognised` as a script would call them."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from metrocoop.standards.models import LimitRevision, LimitValue, Parameter, Recognition, RecognitionType, Standard
from metrocoop.standards.tests.conftest import HEADER, write_csv


def run(*args) -> str:
    out = StringIO()
    call_command("standards", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run(*args, "--json"))


def import_limits(path, rows) -> dict:
    """Write `rows` under the limits header to the CSV file `path` and import it: the command's JSON report."""
    return run_json("import-limits", str(write_csv(path, rows)))


def test_import_creates_parameters_limits_and_catalogue_entries(tmp_path, reference):
    # given a file with a new parameter and a standard code not yet in the catalogue
    path = write_csv(
        tmp_path / "limits.csv",
        [
            ["XTP", "总磷", "max", "SH", "0.3", "mg/L", "DB31/999-2030", "WWTP"],
            ["XTP", "总磷", "max", "SZ", "400", "µg/L", "", "WWTP"],
            ["XTP", "总磷", "max", "JX", "0.3", "g/m³", "", "WWTP"],
        ],
    )
    # when imported
    report = run_json("import-limits", str(path))
    # then all rows are in, the parameter measures a concentration, the standard is a stub to complete
    assert (report["created"], report["updated"], report["unchanged"]) == (3, 0, 0)
    p = Parameter.objects.get(code="XTP")
    assert (p.kind, p.limit_type, p.name_zh) == ("mass_concentration", "max", "总磷")
    stub = Standard.objects.get(code="DB31/999-2030")
    assert stub.incomplete and stub.level == "local"
    assert LimitValue.objects.get(parameter=p, city__code="SH").standard == stub


def test_reimporting_the_same_file_changes_nothing(tmp_path, reference):
    path = write_csv(tmp_path / "limits.csv", [["XCOD", "化学需氧量", "max", "SH", "30", "mg/L", "", ""]])
    run("import-limits", str(path))
    before = list(LimitValue.objects.values_list("id", "value", "unit", "updated_at"))
    report = run_json("import-limits", str(path))
    assert report["unchanged"] == 1 and report["created"] == report["updated"] == 0
    assert list(LimitValue.objects.values_list("id", "value", "unit", "updated_at")) == before
    assert LimitRevision.objects.count() == 0
    assert Parameter.objects.filter(code="XCOD").count() == 1


def test_a_changed_value_supersedes_the_old_one_which_is_kept(tmp_path, reference):
    import_limits(tmp_path / "a.csv", [["XCOD", "COD", "max", "SH", "50", "mg/L", "", "A"]])
    report = import_limits(tmp_path / "b.csv", [["XCOD", "COD", "max", "SH", "30", "mg/L", "", "A"]])
    assert report["updated"] == 1
    limit = LimitValue.objects.get(parameter__code="XCOD", city__code="SH", category="A")
    assert limit.value == 30
    assert list(limit.revisions.values_list("value", "unit")) == [(50.0, "mg/L")]


def test_one_bad_row_and_nothing_is_written_every_bad_row_named(tmp_path, reference):
    # given one good row and five bad ones
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["XNH", "氨氮", "max", "SH", "1.5", "mg/L", "", ""],
            ["XNH", "氨氮", "max", "XX", "1.5", "mg/L", "", ""],
            ["XNH", "氨氮", "max", "SZ", "one", "mg/L", "", ""],
            ["XNH", "氨氮", "max", "WX", "2", "kg", "", ""],
            ["XNH", "氨氮", "max", "CZ", "2", "bananas", "", ""],
            ["XNH", "氨氮", "most", "NT", "2", "mg/L", "", ""],
        ],
    )
    standards_before = Standard.objects.count()
    # when imported
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("standards", "import-limits", str(path), "--json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    # then nothing at all was written and each bad row is named with its column and a bilingual reason
    assert not Parameter.objects.filter(code="XNH").exists()
    assert LimitValue.objects.count() == 0 and Standard.objects.count() == standards_before
    named = {(p["row"], p["column"]) for p in report["problems"]}
    assert named == {(3, "city"), (4, "value"), (5, "unit"), (6, "unit"), (7, "limit_type")}
    for p in report["problems"]:
        assert p["reason_zh"] and p["reason_en"]


def test_a_unit_of_the_wrong_dimension_for_an_existing_parameter_is_refused(tmp_path, reference):
    import_limits(tmp_path / "a.csv", [["XTP", "TP", "max", "SH", "0.3", "mg/L", "", ""]])
    with pytest.raises(CommandError):
        run("import-limits", str(write_csv(tmp_path / "b.csv", [["XTP", "TP", "max", "SZ", "3", "kg", "", ""]])))
    with pytest.raises(CommandError):  # and a limit type that contradicts the parameter
        run("import-limits", str(write_csv(tmp_path / "c.csv", [["XTP", "TP", "min", "SZ", "3", "mg/L", "", ""]])))
    assert not LimitValue.objects.filter(city__code="SZ").exists()


def test_import_reads_excel_too(tmp_path, reference):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["XDO", "溶解氧", "min", "SH", 5, "mg/L", "", "river"])
    ws.append(["XDO", "溶解氧", "min", "SZ", 6, "mg/L", "", "river"])
    wb.save(tmp_path / "limits.xlsx")
    assert run_json("import-limits", str(tmp_path / "limits.xlsx"))["created"] == 2


def test_a_liaison_imports_only_its_own_city(tmp_path, demo_users):
    path = write_csv(
        tmp_path / "l.csv",
        [["XTP", "TP", "max", "SZ", "0.3", "mg/L", "", ""], ["XTP", "TP", "max", "WX", "0.3", "mg/L", "", ""]],
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "standards", "import-limits", str(path), "--as", "liaison-sz", "--json", stdout=out, stderr=StringIO()
        )
    assert [(p["row"], p["column"]) for p in json.loads(out.getvalue())["problems"]] == [(3, "city")]
    assert LimitValue.objects.count() == 0
    ok = write_csv(tmp_path / "ok.csv", [["XTP", "TP", "max", "SZ", "0.3", "mg/L", "", ""]])
    assert run_json("import-limits", str(ok), "--as", "liaison-sz")["created"] == 1


def test_harmonise_json_has_every_field_with_numbers(tmp_path, reference):
    import_limits(
        tmp_path / "l.csv",
        [
            ["XTP", "TP", "max", "SH", "0.3", "mg/L", "S1", ""],
            ["XTP", "TP", "max", "JX", "300", "µg/L", "S2", ""],
            ["XTP", "TP", "max", "NT", "0.5", "mg/L", "S3", ""],
        ],
    )
    out = run_json("harmonise", "--parameter", "XTP")
    assert {"parameter", "unit", "limit_type", "cities", "strictest", "loosest", "spread", "unified"} <= set(out)
    assert (out["parameter"], out["unit"], out["limit_type"]) == ("XTP", "mg/L", "max")
    jx = next(c for c in out["cities"] if c["city"] == "JX")
    assert jx == {
        "city": "JX",
        "value": 0.3,
        "unit": "mg/L",
        "original_value": 300.0,
        "original_unit": "µg/L",
        "standard": "S2",
        "category": "",
    }
    assert out["strictest"] == [{"city": "JX", "value": 0.3}, {"city": "SH", "value": 0.3}]  # a tie: a list
    assert out["loosest"] == {"city": "NT", "value": 0.5}
    assert out["spread"] == pytest.approx(0.2) and out["unified"] is False


def test_harmonise_per_category(tmp_path, reference):
    import_limits(
        tmp_path / "l.csv",
        [
            ["XCOD", "COD", "max", "SH", "30", "mg/L", "", "new"],
            ["XCOD", "COD", "max", "SZ", "30", "mg/L", "", "new"],
            ["XCOD", "COD", "max", "SH", "50", "mg/L", "", "old"],
        ],
    )
    assert run_json("harmonise", "--parameter", "XCOD", "--category", "new")["unified"] is True
    both = run_json("harmonise", "--parameter", "XCOD")
    assert len(both["cities"]) == 3 and both["unified"] is False
    assert both["by_category"]["new"]["unified"] is True


def test_harmonise_an_unknown_parameter_fails(reference):
    with pytest.raises(CommandError):
        run("harmonise", "--parameter", "NOPE", "--json")


@pytest.fixture
def talent(reference, demo_users):
    t = RecognitionType.objects.create(code="xtalent", name_zh="人才", name_en="Talent")
    cities = reference
    Recognition.objects.create(
        type=t,
        issuing_city=cities["SH"],
        recognising_city=cities["SZ"],
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
        scope="A类",
        conditions="持证",
    )
    Recognition.objects.create(
        type=t, issuing_city=cities["SZ"], recognising_city=cities["WX"], valid_from=date(2020, 1, 1)
    )
    return t


def test_recognised_answers_with_its_basis_and_dates_inclusive(talent):
    out = run_json("recognised", "--type", "xtalent", "--issued-in", "SH", "--in", "SZ", "--on", "2024-12-31")
    assert out["recognised"] is True
    assert (out["scope"], out["conditions"], out["valid_from"], out["valid_to"]) == (
        "A类",
        "持证",
        "2024-01-01",
        "2024-12-31",
    )
    assert out["recognition_id"] == Recognition.objects.get(issuing_city__code="SH").pk
    assert (
        run_json("recognised", "--type", "xtalent", "--issued-in", "SH", "--in", "SZ", "--on", "2025-01-01")[
            "recognised"
        ]
        is False
    )


def test_recognised_is_not_transitive_and_exits_zero(talent):
    # SH → SZ and SZ → WX are recorded; SH → WX is not
    out = run_json("recognised", "--type", "xtalent", "--issued-in", "SH", "--in", "WX", "--on", "2024-06-01")
    assert out["recognised"] is False and out["recognition_id"] is None


def test_a_city_recognises_its_own_results(talent):
    out = run_json("recognised", "--type", "xtalent", "--issued-in", "WX", "--in", "WX")
    assert out["recognised"] is True and out["implicit"] is True


def test_recognised_refuses_unknown_type_or_city(talent):
    with pytest.raises(CommandError):
        run("recognised", "--type", "nope", "--issued-in", "SH", "--in", "SZ")
    with pytest.raises(CommandError):
        run("recognised", "--type", "xtalent", "--issued-in", "XX", "--in", "SZ")


CATALOGUE = [
    "code",
    "name_zh",
    "name_en",
    "level",
    "issuer",
    "domain",
    "issued_on",
    "effective_on",
    "status",
    "replaces",
]


def test_catalogue_import_is_the_offices_and_all_or_nothing(tmp_path, demo_users):
    good = write_csv(
        tmp_path / "c.csv",
        [
            ["DB32/9999-2030", "新标准", "", "", "江苏", "water", "2030-01-01", "", "in_force", "DB32/9998-2020"],
            ["DB32/9998-2020", "旧标准", "", "", "江苏", "water", "2020-01-01", "", "replaced", ""],
        ],
        CATALOGUE,
    )
    with pytest.raises(CommandError):
        run("import-catalogue", str(good), "--as", "liaison-sz")
    assert not Standard.objects.filter(code__startswith="DB32/99").exists()
    assert run_json("import-catalogue", str(good))["created"] == 2
    new = Standard.objects.get(code="DB32/9999-2030")
    assert (new.level, new.replaces.code) == ("local", "DB32/9998-2020")
    assert run_json("import-catalogue", str(good))["unchanged"] == 2
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["GB 1-2030", "好", "", "national", "", "", "", "", "", ""],
            ["GB 2-2030", "", "", "nope", "", "", "2030-13-01", "", "gone", "GB 404"],
        ],
        CATALOGUE,
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("standards", "import-catalogue", str(bad), "--json", stdout=out, stderr=StringIO())
    named = {(p["row"], p["column"]) for p in json.loads(out.getvalue())["problems"]}
    assert named == {(3, "name_zh"), (3, "level"), (3, "issued_on"), (3, "status"), (3, "replaces")}
    assert not Standard.objects.filter(code="GB 1-2030").exists()


def test_recognitions_import_respects_the_recognising_citys_scope(tmp_path, talent):
    header = ["type", "issuing_city", "recognising_city", "basis_document", "scope", "valid_from", "valid_to"]
    rows = [["xtalent", "SH", "WX", "", "A类", "2025-01-01", ""], ["xtalent", "WX", "SH", "", "", "2025-01-01", ""]]
    path = write_csv(tmp_path / "r.csv", rows, header)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "standards", "import-recognitions", str(path), "--as", "liaison-wx", "--json", stdout=out, stderr=StringIO()
        )
    assert [(p["row"], p["column"]) for p in json.loads(out.getvalue())["problems"]] == [(3, "recognising_city")]
    assert not Recognition.objects.filter(valid_from=date(2025, 1, 1)).exists()
    assert run_json("import-recognitions", str(path))["created"] == 2
    out = run_json("recognised", "--type", "xtalent", "--issued-in", "SH", "--in", "WX", "--on", "2025-01-01")
    assert out["recognised"] is True and out["scope"] == "A类"


def test_a_row_repeated_identically_is_applied_once_a_contradicting_one_is_refused(tmp_path, reference):
    same = ["XTP", "", "max", "SH", "0.3", "ug/L", "", ""]
    report = import_limits(tmp_path / "a.csv", [same, same])
    assert report["created"] == 1
    p = Parameter.objects.get(code="XTP")
    assert p.name_zh == "XTP"  # no name given: the code stands for it
    out = run_json("harmonise", "--parameter", "XTP")
    assert out["unit"] == "ug/L" and out["cities"][0]["original_unit"] == "ug/L"  # as written
    clash = [["XTP", "", "max", "SZ", "0.3", "mg/L", "", ""], ["XTP", "", "max", "SZ", "0.4", "mg/L", "", ""]]
    with pytest.raises(CommandError) as refused:
        run("import-limits", str(write_csv(tmp_path / "b.csv", clash)))
    assert "row 3" in str(refused.value)  # the error itself names the bad row
    assert not LimitValue.objects.filter(city__code="SZ").exists()


def test_a_file_beyond_the_row_limit_is_refused_whole(tmp_path, reference, settings):
    settings.METROCOOP_IMPORT_MAX_ROWS = 2
    rows = [["XTP", "TP", "max", code, "0.3", "mg/L", "", ""] for code in ("SH", "SZ", "WX")]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("standards", "import-limits", str(write_csv(tmp_path / "big.csv", rows)), "--json", stdout=out)
    assert json.loads(out.getvalue())["problems"][0]["column"] == "file"
    assert not LimitValue.objects.exists()
