"""Import of .txt/.docx/.pdf: metadata from a sidecar or the first lines; all or nothing with a report."""

import io
import json

import docx
import pytest
from django.core.management import CommandError, call_command

from metrocoop.core.testing import snapshot
from metrocoop.policies.importer import ImportRejected, import_documents
from metrocoop.policies.models import CurationProposal, PolicyDocument
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
    (tmp_path / "nometa.txt").write_text("只有标题\n\n正文", encoding="utf-8")  # importable (flagged 待补充)
    (tmp_path / "latin1.txt").write_bytes("Règlement sur la qualité de l’eau — été".encode("cp1252"))
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    before, flags = snapshot(PolicyDocument), CurationProposal.objects.count()
    with pytest.raises(ImportRejected) as err:
        import_documents(tmp_path, actor=office())
    problems = {p.file: p for p in err.value.report.problems}
    assert set(problems) == {"broken.pdf", "latin1.txt", "broken.docx"}
    assert all(p.reason_zh and p.reason_en for p in problems.values())
    assert "encoding" in problems["latin1.txt"].reason_en and "GB18030" in problems["latin1.txt"].reason_zh
    assert err.value.report.created == [] and err.value.report.incomplete == {}
    assert snapshot(PolicyDocument) == before and CurationProposal.objects.count() == flags


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


# --- plain texts as downloaded from a portal (issue #15) --------------------------------------------------------

PLAIN_SH = """
沪府办发〔2021〕5号

上海市人民政府办公厅关于印发《上海市促进人才发展若干措施》的通知

各区人民政府，市政府各委、办、局：
　　《上海市促进人才发展若干措施》已经市政府同意，现印发给你们，请认真按照执行。本措施自2021年4月1日起施行。

上海市人民政府办公厅
二〇二一年三月五日
（此件公开发布）
"""

PLAIN_SZ = """苏州市养老服务补贴实施细则
苏民规[2022]7号
第一条　为规范养老服务补贴发放，根据有关规定，制定本细则。
第二条　本细则自印发之日起施行。

苏州市民政局　苏州市财政局
2022年12月31日
"""

PLAIN_BARE = """关于进一步做好元荡湖岸线保护的通知

各有关单位：
　　请结合实际，认真抓好落实。
"""


def test_a_folder_of_plain_texts_is_imported_as_it_comes(reference, tmp_path):
    # given texts without a metadata header, in UTF-8 with a BOM, GB18030 and GBK
    (tmp_path / "sh.txt").write_bytes(PLAIN_SH.encode("utf-8-sig"))
    (tmp_path / "sz.txt").write_bytes(PLAIN_SZ.encode("gb18030"))
    (tmp_path / "bare.txt").write_bytes(PLAIN_BARE.encode("gbk"))
    # when the folder is imported
    report = import_documents(tmp_path, actor=office())
    # then every document is in, with what its text says
    assert report.ok and len(report.created) == 3
    sh = PolicyDocument.objects.get(title__startswith="上海市人民政府办公厅关于印发")
    assert (sh.doc_number, sh.issuer, sh.issued_on.isoformat()) == (
        "沪府办发〔2021〕5号",
        "上海市人民政府办公厅",
        "2021-03-05",
    )
    assert sh.effective_on.isoformat() == "2021-04-01" and sh.city.code == "SH" and sh.level == "municipal"
    assert sh.doc_number_norm == "沪府办发(2021)5号" and not sh.text.startswith("沪府办发")
    sz = PolicyDocument.objects.get(title="苏州市养老服务补贴实施细则")
    assert (sz.doc_number, sz.issued_on.isoformat(), sz.city.code) == ("苏民规[2022]7号", "2022-12-31", "SZ")
    assert sz.issuer == "苏州市民政局 苏州市财政局"
    # what the text does not give stays empty, and the document waits in the curation queue as 待补充
    bare = PolicyDocument.objects.get(title="关于进一步做好元荡湖岸线保护的通知")
    assert (bare.doc_number, bare.issuer, bare.issued_on) == ("", "", None)
    assert report.incomplete == {bare.key: ["doc_number", "issuer", "issued_on"]}
    flag = CurationProposal.objects.get(document=bare)
    assert (flag.kind, flag.status, flag.payload) == (
        "completion",
        "open",
        {"missing": ["doc_number", "issuer", "issued_on"]},
    )
    assert "待补充" in flag.note and flag.get_kind_display()
    assert not CurationProposal.objects.filter(document__in=[sh, sz]).exists()
    # found by search, the undated one listed too
    assert search("元荡").total == 1 and search("", sort="-date").total == 3
    found = search("元荡").as_dict()
    assert found["hits"][0]["issued_on"] is None and found["facets"]["year"] == [
        {"value": "", "label": "—", "count": 1}
    ]
    listed = [h.document.key for h in search("", sort="-date").hits]
    assert listed[-1] == bare.key  # undated last, whichever way
    assert [h.document.key for h in search("", sort="date").hits][-1] == bare.key


def test_the_issuer_from_the_number_when_no_signature_block(reference, tmp_path):
    (tmp_path / "js.txt").write_text(
        "江苏省高新技术企业培育工作要点\n苏政办发（2021）12号\n一、总体要求……", encoding="utf-8"
    )
    report = import_documents(tmp_path, actor=office())
    doc = PolicyDocument.objects.get(key=report.created[0])
    assert doc.issuer == "江苏省人民政府办公厅" and doc.province.code == "JS" and doc.level == "provincial"
    assert report.incomplete == {doc.key: ["issued_on"]}


def test_the_header_format_still_reads_and_fills_gaps_from_the_text(reference, tmp_path):
    (tmp_path / "nt.txt").write_text(TXT + "\n南通市生态环境局\n2024年3月1日\n", encoding="utf-8")
    (tmp_path / "hz.txt").write_text(
        "湖州市人才公寓管理办法\n城市：湖州\n\n第一条　……\n\n湖州市人民政府\n二〇二三年五月八日", "utf-8"
    )
    report = import_documents(tmp_path, actor=office())
    nt = PolicyDocument.objects.get(doc_number="通环规〔2024〕9号")
    assert nt.issued_on.isoformat() == "2024-03-05"  # the header wins over the signature block
    hz = PolicyDocument.objects.get(title="湖州市人才公寓管理办法")
    assert (hz.city.code, hz.issuer, hz.issued_on.isoformat()) == ("HZ", "湖州市人民政府", "2023-05-08")
    assert report.incomplete == {hz.key: ["doc_number"]}


def test_import_command_names_the_documents_to_be_completed(reference, tmp_path):
    (tmp_path / "bare.txt").write_text(PLAIN_BARE, encoding="utf-8")
    out = io.StringIO()
    call_command("policies", "import", str(tmp_path), stdout=out)
    assert "待补充" in out.getvalue() and "issued_on" in out.getvalue()
