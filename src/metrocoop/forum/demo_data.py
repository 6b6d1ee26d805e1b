"""Demo data of the forum: suggestions in every state (one overdue, one merged into another, one hidden pending
review), votes, two research projects (one that became a fund project), one forum event with its programme.

Idempotent: each suggestion is found by its title, each study and event by its name. The history is replayed on
past days (services.clock_at), so the deadlines are the real working-day ones.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from metrocoop.core.choices import OrganisationKind, Role
from metrocoop.core.demo import DEMO_PASSWORD
from metrocoop.core.models import City, Organisation, RoleAssignment, User
from metrocoop.forum import services
from metrocoop.forum.choices import Moderation, ResearchStatus, SuggestionStatus
from metrocoop.forum.models import ForumEvent, ResearchProject, Suggestion, SuggestionVote

ORGANISATION_ACCOUNTS = (
    (
        "enterprise",
        "沪苏物流示范企业 Demo Logistics Co.",
        "demo-logistics",
        "沪苏物流有限公司",
        "Hu-Su Logistics Co.",
        OrganisationKind.ENTERPRISE,
    ),
    (
        "association",
        "长三角跨境电商协会 Demo Association",
        "demo-ecommerce-association",
        "长三角跨境电商协会",
        "Yangtze Delta Cross-border E-commerce Association",
        OrganisationKind.ASSOCIATION,
    ),
)

# title, text, category, cities, author, days ago, target state
SUGGESTIONS = (
    (
        "门诊慢特病纳入异地就医直接结算",
        "目前异地就医门诊直接结算还不包括很多慢特病，建议把高血压、糖尿病等门诊慢特病纳入上海大都市圈异地直接结算。",
        "public_service",
        ["SH", "SZ", "NT"],
        "public",
        1,
        "received",
    ),
    (
        "开通苏州到上海虹桥的夜间公交",
        "苏州工业园区很多人在上海上班，晚上十点以后就没有回苏州的公交了，建议开通苏州到上海虹桥枢纽的夜间公交线路。",
        "transport",
        ["SZ", "SH"],
        "public",
        30,
        "received_overdue",
    ),
    (
        "宁波舟山港与上海港集装箱信息共享",
        "建议宁波舟山港和上海港建立集装箱物流信息共享平台，企业一次申报、两港通用，减少重复报关。",
        "industry",
        ["NB", "ZS", "SH"],
        "enterprise",
        6,
        "accepted",
    ),
    (
        "在市中心建设一座摩天轮",
        "建议在我家附近建设一座摩天轮，周末可以带孩子去玩。",
        "other",
        ["SH"],
        "public",
        12,
        "declined",
    ),
    (
        "异地就医备案改为线上即时办理",
        "到苏州看病要先回参保地备案，手续繁琐，建议大都市圈内异地就医备案改为线上即时办理。",
        "public_service",
        ["SZ", "WX"],
        "public",
        9,
        "assigned",
    ),
    (
        "跨境电商海外仓共享",
        "建议大都市圈九个城市的跨境电商企业共享海外仓资源，由协会牵头建立海外仓信息平台。",
        "industry",
        ["SH", "NB", "SZ"],
        "association",
        25,
        "answered",
    ),
    (
        "太浦河水源地联合执法",
        "太浦河是上海、嘉兴、苏州共同的水源地，建议三地建立联合执法机制，统一排污监管标准。",
        "ecology",
        ["SH", "JX", "SZ"],
        "public",
        40,
        "closed",
    ),
    (
        "建议苏州至上海虹桥开通夜间公交",
        "很多苏州工业园区的居民在上海工作，晚上十点后没有公交回苏州，希望开通苏州到虹桥枢纽的夜间公交线路。",
        "transport",
        ["SZ", "SH"],
        "liaison-wx",
        28,
        "merged",
    ),
    (
        "<b>限时优惠</b> 点击领取",
        '<a href="http://example.invalid">领取优惠券</a> 与大都市圈无关的广告内容。',
        "other",
        [],
        "public",
        2,
        "reported",
    ),
)

RESEARCH = (
    (
        "环湾大通道专项谋划",
        "Bay-ring corridor special study",
        "研究杭州湾两岸（上海、嘉兴、宁波、舟山）的跨海通道与环湾交通，提出分步实施建议。",
        ["SH", "JX", "NB", "ZS"],
        ResearchStatus.PRE_PHASE,
        "沪甬跨海通道前期研究",
    ),
    (
        "港口一体化专项谋划",
        "Port integration special study",
        "研究上海港、宁波舟山港、苏州港、南通港的航线布局与集疏运体系一体化。",
        ["SH", "NB", "ZS", "SZ", "NT"],
        ResearchStatus.RESEARCHING,
        None,
    ),
)


def _local(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _organisation_accounts() -> None:
    password = make_password(DEMO_PASSWORD)
    for username, display, code, name_zh, name_en, kind in ORGANISATION_ACCOUNTS:
        org, _ = Organisation.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "kind": kind}
        )
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
        if created:
            user.password, user.has_demo_password = password, True
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.PUBLIC, organisation=org)


def _event(office: User) -> ForumEvent:
    event = ForumEvent.objects.filter(name_zh="2026上海大都市圈合作发展论坛").first()
    if event is not None:
        return event
    year = timezone.localdate().year
    start = timezone.localdate() - timedelta(days=45)
    event = services.do_create_event(
        name_zh="2026上海大都市圈合作发展论坛" if year == 2026 else f"{year}上海大都市圈合作发展论坛",
        name_en="Shanghai Metropolitan Area Cooperation and Development Forum",
        city=City.objects.get(code="SH"),
        venue="上海国际会议中心",
        starts_on=start,
        ends_on=start,
        description="宣传推介上海大都市圈发展经验成果，听取企业、协会和市民的开放性建议。",
        actor=office,
    )
    speakers = [
        services.do_add_speaker(event, name=name, affiliation=aff, actor=office)
        for name, aff in (
            ("王丹", "上海市发展和改革委员会"),
            ("李研究员", "上海大都市圈合作研究会"),
            ("张总", "沪苏物流有限公司"),
        )
    ]
    base = timezone.make_aware(datetime.combine(start, time(9)))
    for i, (title, who) in enumerate(
        (("开幕致辞与合作机制介绍", [0]), ("专项谋划：环湾大通道与港口一体化", [1]), ("企业圆桌：跨城物流与通关", [2]))
    ):
        services.do_add_programme_item(
            event,
            starts_at=base + timedelta(hours=i * 1.5),
            ends_at=base + timedelta(hours=i * 1.5 + 1.25),
            title=title,
            speakers=[speakers[j] for j in who],
            actor=office,
        )
    return event


def _suggestions(office: User, event: ForumEvent) -> dict[str, Suggestion]:
    users = {u.username: u for u in User.objects.all()}
    made: dict[str, Suggestion] = {}
    for title, text, category, cities, author, days_ago, state in SUGGESTIONS:
        existing = Suggestion.objects.filter(title=title).first()
        if existing is not None:
            made[state] = existing
            continue
        with services.clock_at(_local(days_ago)):
            s = services.do_submit_suggestion(
                services.SuggestionInput(title, text, category, cities, event.pk if days_ago >= 25 else None),
                actor=users[author],
            )
        made[state] = s
        steps = {
            "accepted": ["accept"],
            "declined": ["decline"],
            "assigned": ["accept", "assign"],
            "answered": ["accept", "assign_office", "answer"],
            "closed": ["accept", "assign", "answer_sz", "close"],
        }.get(state, [])
        for i, step in enumerate(steps, start=1):
            with services.clock_at(_local(max(days_ago - 2 * i, 0), 11)):
                if step == "accept":
                    s = services.do_accept_suggestion(s, actor=office)
                elif step == "decline":
                    s = services.do_decline_suggestion(
                        s, reason="out_of_scope", note="属于区级事务，请向所在区反映。", actor=office
                    )
                elif step == "assign":
                    domain = "medical_insurance" if category == "public_service" else "ecology"
                    s = services.do_assign_suggestion(s, city=City.objects.get(code="SZ"), domain=domain, actor=office)
                elif step == "assign_office":
                    s = services.do_assign_suggestion(s, actor=office)
                elif step == "answer":
                    s = services.do_answer_suggestion(
                        s, answer="理事会办公室将在下一年度工作计划中研究设立海外仓信息共享平台。", actor=office
                    )
                elif step == "answer_sz":
                    s = services.do_answer_suggestion(
                        s, answer="苏州市已会同上海、嘉兴建立太浦河联合执法机制，每季度联合巡查。", actor=office
                    )
                elif step == "close":
                    s = services.do_close_suggestion(s, actor=users[author])
    return made


def load() -> str:
    office = User.objects.get(username="office")
    _organisation_accounts()
    event = _event(office)
    made = _suggestions(office, event)
    users = {u.username: u for u in User.objects.all()}
    # support from individuals (organisation accounts do not vote)
    for state, voters in (("answered", ["public", "liaison-sz", "liaison-nb"]), ("received_overdue", ["liaison-sh"])):
        for name in voters:
            if name in users and not SuggestionVote.objects.filter(suggestion=made[state], voter=users[name]).exists():
                services.do_vote(made[state], actor=users[name])
    merged = made["merged"]
    if merged.merged_into_id is None:
        services.do_merge_suggestion(merged, into=made["received_overdue"], actor=office)
    reported = made["reported"]
    if reported.moderation == Moderation.VISIBLE:
        for name in ("liaison-sz", "liaison-wx", "liaison-nb", "liaison-cz"):
            reported.refresh_from_db()
            if (
                reported.moderation == Moderation.VISIBLE
                and name in users
                and not reported.reports.filter(reporter=users[name]).exists()
            ):
                services.do_report_suggestion(reported, reason="spam", actor=users[name])
    services.check_deadlines()
    _research(office)
    states = sorted(set(Suggestion.objects.values_list("status", flat=True)))
    overdue = sum(services.is_overdue(s) for s in Suggestion.objects.filter(status__in=SuggestionStatus.values))
    return (
        f"{Suggestion.objects.count()} suggestions ({', '.join(states)}; {overdue} overdue), "
        f"{ResearchProject.objects.count()} research projects, {ForumEvent.objects.count()} forum event(s)"
    )


def _research(office: User) -> None:
    from metrocoop.funds.models import Project

    researcher = User.objects.get(username="researcher")
    society = Organisation.objects.get(code="research-society")
    cities = {c.code: c for c in City.objects.all()}
    for name_zh, name_en, summary, codes, target, fund_title in RESEARCH:
        project = ResearchProject.objects.filter(name_zh=name_zh).first()
        if project is None:
            project = services.do_propose_research(
                name_zh=name_zh,
                name_en=name_en,
                summary=summary,
                organisation=society,
                cities=[cities[c] for c in codes if c in cities],
                actor=researcher,
            )
        order = list(ResearchStatus.values)
        while order.index(project.status) < order.index(target):
            fund_project = None
            if order.index(project.status) + 1 == order.index(ResearchStatus.PRE_PHASE) and fund_title:
                fund_project = Project.objects.filter(title=fund_title).first()
            project = services.do_advance_research(
                project,
                report_summary=f"{name_zh}研究报告：提出分三步推进的实施路径，建议纳入投资开发基金项目库。",
                fund_project=fund_project,
                actor=researcher,
            )
        if target == ResearchStatus.PRE_PHASE and fund_title and project.fund_project_id is None:
            fund_project = Project.objects.filter(title=fund_title).first()
            if fund_project is not None:
                services.do_link_fund_project(project, fund_project=fund_project, actor=office)
