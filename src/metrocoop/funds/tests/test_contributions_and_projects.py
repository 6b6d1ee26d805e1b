"""Contributions and the project pipeline, through the services, pages and API, on the real database."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.funds import services
from metrocoop.funds.choices import FundKind, ProjectStatus
from metrocoop.funds.demo_data import INVESTMENT_CONTRIBUTION as RULE
from metrocoop.funds.demo_data import WAN, YI
from metrocoop.funds.models import ContributionNotice, ContributionPayment, Project, ProjectReview, Tranche
from metrocoop.ledger.models import Account, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def investment(funds, demo_users):
    fund = funds[FundKind.INVESTMENT]
    services.do_set_rule(
        fund, date.today().year, contribution=RULE, projects={"max_request_fen": 5 * YI}, actor=demo_users["office"]
    )
    return fund


def test_contributions_add_up_to_the_target_and_explain_themselves(investment, demo_users, browser_client):
    call = services.do_issue_call(investment, date.today().year, due_on=date.today(), actor=demo_users["office"])
    notices = list(call.notices.select_related("city"))
    assert len(notices) == 9 and sum(n.amount_fen for n in notices) == 10 * YI
    shanghai = next(n for n in notices if n.city.code == "SH")
    assert shanghai.amount_fen == 3 * YI and shanghai.explanation["bound"] == "cap"  # 上海's share is capped
    assert all(n.amount_fen >= 3000 * WAN for n in notices)
    # issuing again changes nothing
    assert (
        services.do_issue_call(investment, date.today().year, due_on=date.today(), actor=demo_users["office"]) == call
    )
    assert ContributionNotice.objects.count() == 9
    page = browser_client(None).get(f"/funds/calls/{call.pk}/").content.decode()
    assert "300,000,000.00" in page  # 上海, in yuan
    response = browser_client(None).get(f"/funds/calls/{call.pk}/notices.docx")
    import io

    doc = Document(io.BytesIO(response.content))
    texts = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "300,000,000.00" in texts


def test_payments_post_to_the_ledger_once_and_never_above_what_is_owed(investment, demo_users):
    office = demo_users["office"]
    call = services.do_issue_call(investment, date.today().year, due_on=date.today(), actor=office)
    notice = call.notices.get(city__code="NT")
    payment = services.do_record_payment(
        notice, amount_fen=1000 * WAN, paid_on=date.today(), reference="B-1", actor=office
    )
    again = services.do_record_payment(
        notice, amount_fen=1000 * WAN, paid_on=date.today(), reference="B-1", actor=office
    )
    assert again == payment and ContributionPayment.objects.count() == 1
    assert Account.objects.get(code="fund:investment").balance_fen == 1000 * WAN
    assert notice.arrears_fen == notice.amount_fen - 1000 * WAN
    before = snapshot(ContributionPayment), Transfer.objects.count()
    with pytest.raises(ValidationError):
        services.do_record_payment(
            notice, amount_fen=notice.amount_fen, paid_on=date.today(), reference="B-2", actor=office
        )
    with pytest.raises(PermissionDenied):
        services.do_record_payment(
            notice, amount_fen=1, paid_on=date.today(), reference="B-3", actor=demo_users["liaison-nt"]
        )
    assert (snapshot(ContributionPayment), Transfer.objects.count()) == before


def _project(fund, demo_users, reference, lead="SZ", partners=("SH",), requested=2 * YI):
    return services.do_submit_project(
        fund,
        title="太浦河清水走廊",
        category="water",
        lead_city=reference[lead],
        partner_cities=[reference[c] for c in partners],
        requested_fen=requested,
        actor=demo_users[f"liaison-{lead.lower()}"],
    )


def _reviewed(fund, demo_users, reference, **kw):
    project = _project(fund, demo_users, reference, **kw)
    services.do_check_eligibility(project, actor=demo_users["office"])
    assert project.status == ProjectStatus.UNDER_REVIEW, project.eligibility
    scores = dict.fromkeys(services.CRITERIA, 80)
    services.do_review_project(project, scores=scores, actor=demo_users["expert"])
    return project


def _approve_in_two_tranches(project, resolution, demo_users):
    """The office approves 2 亿 for the project under `resolution`, paid in two tranches of 1 亿 (start, completion)."""
    return services.do_decide_project(
        project,
        resolution=resolution,
        approve=True,
        approved_fen=2 * YI,
        tranches=[(YI, "开工"), (YI, "完工")],
        actor=demo_users["office"],
    )


def _fund_money(fund, demo_users, amount):
    call = services.do_issue_call(fund, date.today().year, due_on=date.today(), actor=demo_users["office"])
    for n in call.notices.all():
        paid = min(n.amount_fen, amount - sum(p.amount_fen for p in ContributionPayment.objects.all()))
        if paid > 0:
            services.do_record_payment(
                n, amount_fen=paid, paid_on=date.today(), reference=f"R{n.pk}", actor=demo_users["office"]
            )


def test_an_expert_from_an_applicant_city_may_not_review(investment, demo_users, reference):
    project = _project(investment, demo_users, reference, lead="SZ", partners=("SH",))
    services.do_check_eligibility(project, actor=demo_users["office"])
    before = snapshot(ProjectReview)
    with pytest.raises(PermissionDenied):
        services.do_review_project(project, scores=dict.fromkeys(services.CRITERIA, 90), actor=demo_users["expert-sh"])
    assert snapshot(ProjectReview) == before
    services.do_review_project(project, scores=dict.fromkeys(services.CRITERIA, 90), actor=demo_users["expert-nb"])
    with pytest.raises(ValidationError):  # twice
        services.do_review_project(project, scores=dict.fromkeys(services.CRITERIA, 10), actor=demo_users["expert-nb"])
    assert ProjectReview.objects.get(project=project).total == 90


def test_a_commitment_above_the_available_balance_is_refused(investment, demo_users, reference, passed_resolution):
    _fund_money(investment, demo_users, 1 * YI)
    project = _reviewed(investment, demo_users, reference, requested=2 * YI)
    before = snapshot(Project), snapshot(Tranche)
    with pytest.raises(ValidationError) as err:
        _approve_in_two_tranches(project, passed_resolution, demo_users)
    assert "available" in str(err.value)
    assert (snapshot(Project), snapshot(Tranche)) == before


def test_a_disbursement_before_its_milestone_is_refused(investment, demo_users, reference, passed_resolution):
    _fund_money(investment, demo_users, 3 * YI)
    project = _reviewed(investment, demo_users, reference)
    _approve_in_two_tranches(project, passed_resolution, demo_users)
    tranche = project.tranches.get(sequence=1)
    before = snapshot(Tranche), Transfer.objects.count()
    with pytest.raises(ValidationError):
        services.do_disburse_tranche(tranche, actor=demo_users["office"])
    assert (snapshot(Tranche), Transfer.objects.count()) == before
    services.do_mark_milestone(tranche, met_on=date.today(), actor=demo_users["office"])
    services.do_disburse_tranche(tranche, actor=demo_users["office"])
    services.do_disburse_tranche(tranche, actor=demo_users["office"])  # again: nothing more
    position = services.fund_position(investment)
    assert position.disbursed_fen == YI and position.committed_fen == YI
    assert position.balance_fen == 3 * YI - YI and position.available_fen == 3 * YI - 2 * YI
    # 苏州's position: it received the tranche (debit) and paid its contribution in (credit)
    paid_by_sz = sum(p.amount_fen for p in ContributionPayment.objects.filter(notice__city__code="SZ"))
    assert Account.objects.get(code="fund:investment:city:SZ").balance_fen == YI - paid_by_sz
    assert Transfer.objects.filter(client_id=f"funds:tranche:{tranche.pk}").count() == 1


def test_a_decision_needs_a_passed_resolution(investment, demo_users, reference):
    project = _reviewed(investment, demo_users, reference)
    with pytest.raises(ValidationError):
        services.do_decide_project(project, resolution=None, approve=False, actor=demo_users["office"])
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.UNDER_REVIEW


def test_ineligible_projects_stop_with_their_reasons(investment, demo_users, reference):
    project = _project(investment, demo_users, reference, partners=(), requested=6 * YI)  # water needs 2 cities
    services.do_check_eligibility(project, actor=demo_users["office"])
    assert project.status == ProjectStatus.INELIGIBLE
    failed = {c["code"] for c in project.eligibility["checks"] if not c["passed"]}
    assert failed == {"cities", "amount"}


class TestProjectAPI(ModelAPITestCases):
    basename = "funds-project"
    methods = {"list", "retrieve", "create"}
    anonymous_reads = False  # undecided applications are not public

    @pytest.fixture(autouse=True)
    def _funds(self, funds):
        pass

    def make_row(self, reference):
        from metrocoop.core.models import User

        return services.do_submit_project(
            services.ensure_funds()[FundKind.INVESTMENT],
            title="测试项目",
            category="ecology",
            lead_city=reference["SZ"],
            partner_cities=[],
            requested_fen=WAN,
            actor=User.objects.get(username="liaison-sz"),
        )

    def create_payload(self, reference):
        return {
            "title": "新项目",
            "category": "ecology",
            "lead_city": "SZ",
            "partner_cities": ["WX"],
            "requested_fen": WAN,
        }
