"""Import of .txt/.docx/.pdf: metadata from a sidecar or the first lines; all or nothing with a report."""

import io
import json

import docx
import pytest
from django.core.management import CommandError, call_command

from metrocoop.core.testing import snapshot
from metrocoop.policies.importer import ImportRejected, import_documents
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.search import search
from metrocoop.policies.tests.factories import office

pytestmark = pytest.mark.django_db

TXT = """南通市排污许可证核发管理办法
发文字号：通环规〔2024〕9号
发文机关：南通市生态环境局
发布日期：2024年3月5日
层级：市级
城市：南通
类别：规范性文件
领域：environment

第一条　为规范排污许可证核发，制定本办法。
第二条　新建项目应当先行开展环评。
"""


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica (ASCII), built by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _folder(tmp_path):
    (tmp_path / "nt-permit.txt").write_text(TXT, encoding="utf-8")
    d = docx.Document()
    for line in [
        "嘉兴市养老服务补贴办法",
        "发文字号：嘉民规〔2024〕2号",
        "发文机关：嘉兴市民政局",
        "发布日期：2024-04-01",
        "城市：JX",
        "",
        "第一条　对养老机构给予床位补贴。",
    ]:
        d.add_paragraph(line)
    d.save(tmp_path / "jx-elderly.docx")
    (tmp_path / "regional.pdf").write_bytes(_pdf("Joint rules on cross-city medical settlement"))
    (tmp_path / "regional.pdf.json").write_text(
        json.dumps({"title": "异地就医协同规则", "issuer": "协同工作小组", "issued_on": "2024-01-01", "level": "区域"}),
        encoding="utf-8",
    )
    return tmp_path


def test_import_a_folder_of_txt_docx_and_pdf(reference, tmp_path):
    report = import_documents(_folder(tmp_path), actor=office())
    assert len(report.created) == 3 and report.ok
    nt = PolicyDocument.objects.get(doc_number_norm="通环规(2024)9号")
    assert nt.city.code == "NT" and nt.issued_on.isoformat() == "2024-03-05" and nt.level == "municipal"
    assert list(nt.domain_tags.values_list("domain", flat=True)) == ["environment"]
    assert nt.text.startswith("第一条")
    assert PolicyDocument.objects.get(title="嘉兴市养老服务补贴办法").city.code == "JX"
    assert "medical settlement" in PolicyDocument.objects.get(title="异地就医协同规则").text
    assert search("环评").total == 1  # indexed in the same transaction
    # the same folder again does no harm
    again = import_documents(tmp_path, actor=office())
    assert again.created == [] and len(again.unchanged) == 3


def test_one_unreadable_file_and_nothing_is_imported(reference, tmp_path):
    _folder(tmp_path)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "nometa.txt").write_text("只有标题\n\n正文", encoding="utf-8")
    before = snapshot(PolicyDocument)
    with pytest.raises(ImportRejected) as err:
        import_documents(tmp_path, actor=office())
    problems = {p.file: p for p in err.value.report.problems}
    assert set(problems) == {"broken.pdf", "nometa.txt"}
    assert problems["broken.pdf"].reason_zh and problems["broken.pdf"].reason_en
    assert "issuer" in problems["nometa.txt"].reason_en
    assert snapshot(PolicyDocument) == before


def test_invalid_metadata_rolls_back_the_whole_run(reference, tmp_path):
    _folder(tmp_path)
    (tmp_path / "bad.txt").write_text(
        "坏文件\n发文机关：某局\n发布日期：2024-01-01\n施行日期：2023-01-01\n城市：SZ\n\n正文", encoding="utf-8"
    )
    before = snapshot(PolicyDocument)
    with pytest.raises(ImportRejected) as err:
        import_documents(tmp_path, actor=office())
    assert [p.file for p in err.value.report.problems] == ["bad.txt"]
    assert snapshot(PolicyDocument) == before


def test_a_liaison_imports_only_its_own_city(reference, demo_users, tmp_path):
    (tmp_path / "nt.txt").write_text(TXT, encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        import_documents(tmp_path / "nt.txt", actor=demo_users["liaison-sz"])
    assert "may not" in err.value.report.problems[0].reason_en


def test_import_command_reports_and_fails(reference, tmp_path):
    (tmp_path / "x.docx").write_bytes(b"not a zip")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("policies", "import", str(tmp_path), stderr=err)
    assert "x.docx" in err.getvalue()
    (tmp_path / "x.docx").unlink()
    (tmp_path / "nt.txt").write_text(TXT, encoding="utf-8")
    out = io.StringIO()
    call_command("policies", "import", str(tmp_path / "nt.txt"), "--json", stdout=out)
    assert len(json.loads(out.getvalue())["created"]) == 1
