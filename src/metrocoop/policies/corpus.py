"""The demo corpus of the policy library: documents written for the demo (fictitious; realistic in form), built
deterministically from templates and per-city parameters. Pure data: no ORM (demo_data.py loads it through the
services; benchmarks/policies_scale.py multiplies it).

Every document has a stable key (`<city>-<topic>-<year>`), which the relevance set refers to."""

from __future__ import annotations

from dataclasses import dataclass, field

SOURCE = "演示语料（为平台演示撰写，非真实文件）"


@dataclass(frozen=True)
class CityParams:
    code: str
    name: str  # 苏州市
    abbr: str  # 苏
    province: str  # JS
    index: int
    talent_salary_wan: int  # 年薪门槛（万元）
    talent_home_wan: int  # 安家补贴（万元）
    hitech_reward_wan: int  # 首次认定奖励（万元）
    hitech_rd_ratio: int  # 研发费用占比门槛（%）
    permit_days: int  # 排污许可审批时限（工作日）
    medical_filing_days: int  # 异地就医备案办理时限（工作日）
    medical_ratio: int  # 转外就医报销比例（%）
    license_days: int  # 营业执照办理时限（工作日）
    land_tax_wan: int  # 亩均税收门槛（万元/亩）
    land_years: int  # 工业用地出让年限（年）
    bed_subsidy: int  # 床位建设补贴（元/张）
    abbreviate_eia: bool  # 文件中是否用"环评"简称


CITIES: tuple[CityParams, ...] = (
    CityParams("SH", "上海市", "沪", "SH", 0, 100, 300, 50, 6, 15, 1, 90, 1, 80, 20, 25000, True),
    CityParams("SZ", "苏州市", "苏", "JS", 1, 80, 250, 40, 5, 20, 3, 85, 2, 50, 20, 20000, False),
    CityParams("WX", "无锡市", "锡", "JS", 2, 60, 200, 30, 5, 20, 3, 85, 2, 40, 30, 15000, True),
    CityParams("CZ", "常州市", "常", "JS", 3, 50, 150, 30, 4, 25, 5, 80, 3, 35, 30, 15000, False),
    CityParams("NT", "南通市", "通", "JS", 4, 50, 120, 20, 4, 25, 5, 80, 3, 30, 30, 12000, True),
    CityParams("NB", "宁波市", "甬", "ZJ", 5, 80, 250, 40, 5, 15, 2, 85, 1, 45, 20, 20000, False),
    CityParams("JX", "嘉兴市", "嘉", "ZJ", 6, 50, 150, 30, 4, 20, 2, 85, 1, 35, 30, 15000, True),
    CityParams("HZ", "湖州市", "湖", "ZJ", 7, 50, 120, 20, 4, 20, 3, 80, 2, 30, 30, 12000, False),
    CityParams("ZS", "舟山市", "舟", "ZJ", 8, 40, 100, 20, 3, 30, 5, 75, 3, 25, 40, 10000, True),
)


@dataclass
class DemoDocument:
    key: str
    title: str
    doc_number: str
    issuer: str
    level: str
    city: str | None
    province: str | None
    kind: str
    issued_on: str
    effective_on: str
    domains: list[str]
    text: str
    topic: str = ""
    relations: list[tuple[str, str]] = field(default_factory=list)  # (kind, target key)


def _articles(*paragraphs: str) -> str:
    numerals = "一二三四五六七八九十"
    out = []
    for i, p in enumerate(paragraphs):
        n = numerals[i] if i < 10 else "十" + numerals[i - 10]
        out.append(f"第{n}条　{p}")
    return "\n".join(out)


def _talent(c: CityParams, year: int, old: bool = False) -> DemoDocument:
    tier = "（试行）" if old else ""
    text = _articles(
        f"为深入实施人才强市战略，加快建设长三角人才高地，进一步规范{c.name}高层次人才认定工作，根据国家和省有关人才"
        f"工作的政策规定，结合本市实际，制定本办法。",
        f"本办法所称高层次人才，是指在{c.name}行政区域内全职工作，在经济社会发展重点领域具有较高专业水平、能够引领"
        f"产业创新发展的各类人才。高层次人才分为A、B、C、D四类，实行分类认定、动态管理。",
        f"申请认定高层次人才，应当与本市用人单位签订三年以上劳动合同，并在本市依法缴纳社会保险满六个月。"
        f"企业经营管理人才和专业技术人才上一年度在本市缴纳个人所得税的工资薪金收入不低于{c.talent_salary_wan}万元。",
        "A类人才主要包括诺贝尔奖获得者、两院院士等国际国内顶尖人才；B类人才主要包括国家级重大人才工程入选者；"
        "C类人才主要包括省级重大人才计划入选者及行业领军人才；D类人才主要包括取得正高级职称的专业技术人才和"
        "紧缺急需的高技能人才。具体认定标准由市人才工作领导小组办公室另行公布。",
        f"经认定的高层次人才，可以按照规定享受安家补贴、子女入学、医疗保健、配偶就业等服务保障。其中A类人才安家补贴"
        f"最高{c.talent_home_wan}万元，分{3 if c.index % 2 else 5}年发放；B、C、D类人才按照相应标准递减。"
        "首次来本市工作的高层次人才，可以申请入住人才公寓，租金按照市场价格的一定比例给予优惠。",
        "高层次人才认定实行常年受理、集中评审。申请人通过用人单位向市人力资源和社会保障局提出申请，提交身份证明、"
        "劳动合同、纳税证明、业绩成果等材料。市人力资源和社会保障局会同有关部门在二十个工作日内完成审核，"
        "审核结果在市政府门户网站公示五个工作日。",
        "认定结果有效期为五年。有效期内人才离开本市或者不再符合认定条件的，用人单位应当在三十日内报告，"
        "相关待遇自次月起停止享受。以欺骗、贿赂等不正当手段取得认定的，撤销认定，追回已享受的补贴，"
        "并记入公共信用信息系统。",
        "对上海大都市圈其他成员城市已认定的同类高层次人才，来本市工作的，经审核可以直接确认相应类别，"
        "推动人才资质互认、服务互通。",
        f"本办法自{year}年{3 + c.index % 6}月1日起施行，有效期五年。" + ("" if old else "原试行办法同时废止。"),
    )
    return DemoDocument(
        key=f"{c.code.lower()}-talent-{year}",
        title=f"{c.name}高层次人才认定办法{tier}",
        doc_number=f"{c.abbr}人社规〔{year}〕{2 + c.index}号",
        issuer=f"{c.name}人力资源和社会保障局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{2 + c.index % 6:02d}-15",
        effective_on=f"{year}-{3 + c.index % 6:02d}-01",
        domains=["talent", "hr"],
        text=text,
        topic="talent",
    )


def _hitech(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为贯彻落实创新驱动发展战略，支持企业加大研发投入，培育壮大高新技术企业群体，推动{c.name}产业转型升级，"
        "根据《高新技术企业认定管理办法》和省有关规定，结合本市实际，制定本措施。",
        "本措施适用于在本市注册、具有独立法人资格、依法纳税的科技型企业。市科学技术局负责高新技术企业培育库的"
        "建设和管理，市财政局负责奖补资金的预算安排和监督管理。",
        f"建立高新技术企业培育库。入库企业近三个会计年度研究开发费用总额占同期销售收入总额的比例不低于{c.hitech_rd_ratio}%，"
        "拥有自主知识产权，且科技人员占企业当年职工总数的比例不低于百分之十。",
        f"对首次通过高新技术企业认定的企业，给予一次性奖励{c.hitech_reward_wan}万元；对重新认定通过的企业，"
        f"给予{c.hitech_reward_wan // 2}万元奖励。对从外地整体迁入本市的有效期内高新技术企业，视同首次认定给予奖励。",
        "高新技术企业按照规定享受企业所得税减按百分之十五征收、研发费用加计扣除等税收优惠政策。税务部门应当"
        "加强政策宣传和辅导，做到应享尽享。",
        "鼓励金融机构开发科技信贷产品，对高新技术企业和入库培育企业给予信用贷款支持。政府引导基金优先投资"
        "符合条件的高新技术企业。",
        "对弄虚作假骗取认定或者奖励资金的企业，取消其高新技术企业资格，追回奖励资金，三年内不得申报各类科技计划项目。",
        "对上海大都市圈其他成员城市认定的高新技术企业迁入本市的，简化复核程序，实行资格互认。",
        f"本措施自{year}年{1 + c.index % 9}月1日起施行，有效期至{year + 4}年12月31日。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-hitech-{year}",
        title=f"{c.name}关于支持高新技术企业认定和培育发展的若干措施",
        doc_number=f"{c.abbr}科规〔{year}〕{5 + c.index}号",
        issuer=f"{c.name}科学技术局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{1 + c.index % 9:02d}-10",
        effective_on=f"{year}-{1 + c.index % 9:02d}-10",
        domains=["innovation", "subsidy"],
        text=text,
        topic="hitech",
    )


def _permit(c: CityParams, year: int) -> DemoDocument:
    eia = "环评" if c.abbreviate_eia else "环境影响评价"
    eia_doc = "环评文件" if c.abbreviate_eia else "环境影响评价文件"
    text = _articles(
        f"为规范{c.name}排污许可证核发和证后管理，落实排污单位污染防治主体责任，改善生态环境质量，根据《排污许可"
        "管理条例》等法律法规，结合本市实际，制定本细则。",
        "本细则适用于本市行政区域内纳入固定污染源排污许可分类管理名录的企业事业单位和其他生产经营者"
        "（以下简称排污单位）。市生态环境局负责全市排污许可的统一监督管理，各区（县）分局负责具体核发工作。",
        f"排污单位应当在启动生产设施或者发生实际排污之前申请取得排污许可证。新建项目的{eia_doc}"
        f"经批准后，排污单位应当将{eia}批复中与污染物排放相关的主要内容纳入排污许可证申请材料。",
        f"审批部门应当自受理申请之日起{c.permit_days}个工作日内作出是否准予许可的决定。对实行重点管理的排污单位，"
        "审批部门可以组织技术评估，技术评估时间不计算在审批时限内。",
        f"推动{eia}与排污许可“两证衔接”。对同一建设项目，{eia}审批和排污许可证核发可以同步受理、"
        "同步审查，实现一次申请、并联审批。",
        "排污单位应当按照排污许可证规定安装和运行自动监测设备，建立环境管理台账，定期提交执行报告，"
        "并通过全国排污许可证管理信息平台公开污染物排放信息。",
        "生态环境部门应当将排污许可证执行情况纳入日常监管和“双随机、一公开”检查。对无证排污、"
        "超标排放的，依法从重处罚，并记入企业环境信用评价。",
        "与上海大都市圈其他成员城市建立跨界流域排污许可信息共享机制，对交界地区排污单位实行联合执法。",
        f"本细则自{year}年{4 + c.index % 6}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-permit-{year}",
        title=f"{c.name}排污许可证核发与证后管理实施细则",
        doc_number=f"{c.abbr}环规〔{year}〕{1 + c.index}号",
        issuer=f"{c.name}生态环境局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{3 + c.index % 6:02d}-20",
        effective_on=f"{year}-{4 + c.index % 6:02d}-01",
        domains=["environment"],
        text=text,
        topic="permit",
    )


def _medical(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为方便参保人员跨地区就医，规范{c.name}基本医疗保险异地就医直接结算管理，根据国家医疗保障局关于"
        "跨省异地就医直接结算的有关规定和长三角医保一体化工作安排，制定本办法。",
        "本办法所称异地就医，是指本市基本医疗保险参保人员在本市以外的定点医疗机构发生的就医行为，以及外地参保"
        "人员在本市定点医疗机构发生的就医行为。",
        f"参保人员异地长期居住、异地工作或者转诊转院的，应当办理异地就医备案。医保经办机构应当在{c.medical_filing_days}"
        "个工作日内办结备案手续，备案可以通过医保服务平台、手机应用或者经办窗口办理。",
        "已备案人员在就医地定点医疗机构住院、普通门诊和门诊慢特病治疗的费用，实行直接结算，执行就医地规定的"
        "支付范围，参保地规定的起付标准、支付比例和最高支付限额。",
        f"未按规定办理备案的临时外出就医人员，其住院费用在参保地报销比例的基础上降低十个百分点；转外就医人员"
        f"的住院费用报销比例为{c.medical_ratio}%。",
        "医保经办机构按月与上海大都市圈其他成员城市医保经办机构清算异地就医费用，清算资金实行预付金管理。"
        "定点医疗机构应当及时上传结算数据，确保费用真实准确。",
        "医疗保障部门应当加强异地就医费用监管，对虚构医疗服务、伪造医疗文书等骗取医保基金的行为，"
        "依法追回资金并予以处罚。",
        f"本办法自{year}年{7 + c.index % 5}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-medical-{year}",
        title=f"{c.name}基本医疗保险异地就医直接结算管理办法",
        doc_number=f"{c.abbr}医保发〔{year}〕{10 + c.index}号",
        issuer=f"{c.name}医疗保障局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{6 + c.index % 5:02d}-08",
        effective_on=f"{year}-{7 + c.index % 5:02d}-01",
        domains=["medical", "public_service"],
        text=text,
        topic="medical",
    )


def _registration(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为深化“放管服”改革，持续优化营商环境，在{c.name}全面推行“证照分离”改革，着力破解“准入不准营”问题，"
        "结合本市实际，制定本方案。",
        "按照直接取消审批、审批改为备案、实行告知承诺、优化审批服务四种方式，对涉企经营许可事项实行分类改革。"
        "改革事项清单实行动态调整，并向社会公布。",
        f"推行企业登记“一网通办”。申请人通过政务服务网提交设立登记申请，材料齐全、符合法定形式的，登记机关"
        f"应当在{c.license_days}个工作日内核发营业执照，同步发放电子营业执照。",
        "在便利店、餐饮、药店等行业推行“一业一证”改革，将一个行业准入涉及的多张许可证整合为一张行业综合许可证。",
        "放宽市场主体住所登记条件，推行住所申报承诺制。允许符合条件的企业一照多址、一址多照。",
        "完善简易注销程序，对未开业或者无债权债务的市场主体，公告期由四十五日压缩至二十日。",
        "加强事中事后监管，全面推行“双随机、一公开”监管和信用分类监管。对实行告知承诺的事项，"
        "审批部门应当在作出决定后两个月内进行核查。",
        "推动上海大都市圈企业登记标准互认，成员城市之间企业迁移登记实行“一次申请、同步办理”。",
        "本方案自印发之日起实施，由市市场监督管理局负责解释。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-registration-{year}",
        title=f"{c.name}深化“证照分离”改革全面推行“一业一证”实施方案",
        doc_number=f"{c.abbr}府办发〔{year}〕{20 + c.index}号",
        issuer=f"{c.name}人民政府办公室",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="plan",
        issued_on=f"{year}-{2 + c.index % 7:02d}-25",
        effective_on=f"{year}-{2 + c.index % 7:02d}-25",
        domains=["registration"],
        text=text,
        topic="registration",
    )


def _land(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为提高工业用地节约集约利用水平，推进{c.name}工业用地“标准地”出让，根据《中华人民共和国土地管理法》"
        "等规定，结合本市实际，制定本办法。",
        "本办法所称“标准地”，是指在完成区域评估的基础上，明确投资强度、容积率、亩均税收、能耗和排放等控制性"
        "指标后出让的国有建设用地。",
        f"新增工业用地原则上按照“标准地”出让。出让地块亩均税收不低于{c.land_tax_wan}万元，容积率不低于1.2，"
        "固定资产投资强度不低于每亩三百万元。",
        f"工业用地实行弹性年期出让，出让年限一般不超过{c.land_years}年。期满经评估符合条件的，可以续期。",
        "土地出让前，由自然资源和规划部门会同发展改革、生态环境等部门完成区域环境影响评价、节能评价和压覆矿产"
        "等评估，评估结果向用地企业共享，企业无需重复开展。",
        "竞得人应当与园区管理机构签订投资建设协议，约定开工、竣工和达产期限。达产后未达到约定指标的，"
        "按照协议约定承担违约责任。",
        "建立工业用地全生命周期管理机制，对闲置土地依法收回，对低效用地实施再开发。",
        f"本办法自{year}年{5 + c.index % 6}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-land-{year}",
        title=f"{c.name}工业用地“标准地”出让管理办法",
        doc_number=f"{c.abbr}自然资规〔{year}〕{3 + c.index}号",
        issuer=f"{c.name}自然资源和规划局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{4 + c.index % 6:02d}-12",
        effective_on=f"{year}-{5 + c.index % 6:02d}-01",
        domains=["land"],
        text=text,
        topic="land",
    )


def _elderly(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为加快构建居家社区机构相协调、医养康养相结合的养老服务体系，支持{c.name}养老机构建设和运营，"
        "根据有关规定，制定本办法。",
        "本办法适用于在本市依法登记、备案并取得相应资质的养老机构，包括社会力量举办的养老机构和公建民营养老机构。",
        f"对新建养老机构，按照核定床位给予一次性建设补贴，每张床位{c.bed_subsidy}元；改建养老机构按照新建标准的"
        "百分之五十给予补贴。",
        "对运营满一年的养老机构，按照实际收住本市户籍老年人数给予运营补贴。收住失能、半失能老年人的，补贴标准"
        "上浮百分之五十。养老机构等级评定结果与运营补贴挂钩。",
        "支持养老机构内设医疗机构，符合条件的纳入医保定点。推进长期护理保险试点，长护险待遇按照规定支付。",
        "鼓励发展居家养老服务，对为居家老年人提供助餐、助浴、助医服务的社区养老服务组织给予服务补贴。",
        "民政部门会同财政部门对补贴资金使用情况进行绩效评价。对骗取补贴资金的，依法追回并取消补贴资格。",
        "推动上海大都市圈养老服务补贴异地结算，成员城市户籍老年人异地入住养老机构的，可以享受同等补贴待遇。",
        f"本办法自{year}年{1 + c.index % 10}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-elderly-{year}",
        title=f"{c.name}养老服务机构建设和运营补贴办法",
        doc_number=f"{c.abbr}民规〔{year}〕{4 + c.index}号",
        issuer=f"{c.name}民政局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{1 + c.index % 10:02d}-05",
        effective_on=f"{year}-{1 + c.index % 10:02d}-05",
        domains=["elderly", "subsidy", "public_service"],
        text=text,
        topic="elderly",
    )


def _fund(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为规范{c.name}政府投资基金管理，发挥财政资金引导作用，吸引社会资本投向战略性新兴产业，"
        "根据《政府投资基金暂行管理办法》，制定本办法。",
        "本办法所称政府投资基金，是指由市政府出资设立，通过股权投资等方式支持相关产业发展的政策性基金，"
        "包括政府引导基金和产业基金。",
        "政府引导基金主要投资于集成电路、生物医药、人工智能、高端装备、新材料等重点产业，以及种子期、初创期"
        "科技型企业。",
        "政府引导基金参股子基金的出资比例一般不超过子基金规模的百分之三十，且不作为第一大股东。子基金投资本市"
        "企业的金额原则上不低于政府出资额的一点五倍。",
        "基金管理机构应当建立健全投资决策、风险控制和信息披露制度，定期向市财政局报送基金运行情况。",
        "建立容错机制，对基金投资因不可预见因素造成损失的，按照规定免除相关人员责任。",
        "支持与上海大都市圈其他成员城市共同设立跨区域产业基金，投向跨市产业链协同项目。",
        f"本办法自{year}年{6 + c.index % 6}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-fund-{year}",
        title=f"{c.name}政府投资基金管理办法",
        doc_number=f"{c.abbr}财规〔{year}〕{6 + c.index}号",
        issuer=f"{c.name}财政局",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{5 + c.index % 6:02d}-18",
        effective_on=f"{year}-{6 + c.index % 6:02d}-01",
        domains=["finance"],
        text=text,
        topic="fund",
    )


def _catalogue(c: CityParams, year: int) -> DemoDocument:
    text = _articles(
        f"为引导社会投资方向，推动{c.name}产业结构优化升级，落实上海大都市圈区域性产业政策协同要求，制定本目录。",
        "本目录由鼓励类、限制类和淘汰类三类组成。鼓励类主要是对经济社会发展有重要促进作用、有利于节约资源和"
        "保护环境的技术、装备及产品；限制类主要是工艺技术落后、不利于产业结构优化升级的生产能力；"
        "淘汰类主要是严重浪费资源、污染环境、不具备安全生产条件的落后工艺和产品。",
        "鼓励类：集成电路设计与制造；生物医药研发；工业机器人；新能源汽车关键零部件；"
        + ("海洋工程装备；" if c.code in ("ZS", "NB", "NT") else "人工智能软件开发；")
        + "节能环保装备。",
        "限制类：新建普通钢铁冶炼产能；新建印染项目（园区集中改造提升项目除外）；"
        + ("化学原料药新建项目；" if c.index % 2 else "新建平板玻璃项目；"),
        "淘汰类：落后小化工；高耗能落后机电设备；不符合排污许可要求的电镀生产线。",
        "对鼓励类项目，在用地、用能、融资等方面予以支持；对限制类项目，禁止新建，现有生产能力允许在一定期限内"
        "改造升级；对淘汰类项目，禁止投资，并按规定期限淘汰。",
        "本目录与国家《产业结构调整指导目录》不一致的，从严执行。",
        f"本目录自{year}年{7 + c.index % 5}月1日起施行。",
    )
    return DemoDocument(
        key=f"{c.code.lower()}-industry-{year}",
        title=f"{c.name}产业结构调整指导目录（{year}年本）",
        doc_number=f"{c.abbr}发改规〔{year}〕{8 + c.index}号",
        issuer=f"{c.name}发展和改革委员会",
        level="municipal",
        city=c.code,
        province=c.province,
        kind="normative",
        issued_on=f"{year}-{6 + c.index % 5:02d}-28",
        effective_on=f"{year}-{7 + c.index % 5:02d}-01",
        domains=["industry"],
        text=text,
        topic="industry",
    )


def _regional() -> list[DemoDocument]:
    docs = [
        DemoDocument(
            key="region-medical-2022",
            title="上海大都市圈异地就医直接结算协同工作规则",
            doc_number="沪苏浙医保联发〔2022〕1号",
            issuer="上海大都市圈医疗保障协同工作小组",
            level="regional",
            city=None,
            province=None,
            kind="normative",
            issued_on="2022-03-01",
            effective_on="2022-04-01",
            domains=["medical", "public_service"],
            text=_articles(
                "为推进上海大都市圈公共服务共建共享，实现成员城市之间异地就医直接结算全覆盖，制定本规则。",
                "成员城市参保人员在大都市圈内异地就医，住院、普通门诊和门诊慢特病费用实行直接结算，"
                "免除异地就医备案手续，实行“免备案”结算。",
                "成员城市医保经办机构按月对账、按季清算，清算采用多边净额结算方式，由牵头城市出具清算报告。",
                "建立异地就医费用联合监管机制，共享定点医疗机构和医保医师信用信息，联合开展专项检查。",
                "各成员城市应当在本规则施行后三个月内修订本地异地就医管理办法，与本规则相衔接。",
                "本规则自2022年4月1日起施行。",
            ),
        ),
        DemoDocument(
            key="region-registration-2021",
            title="长三角生态绿色一体化发展示范区跨区域企业登记互认办法",
            doc_number="示范区执委发〔2021〕5号",
            issuer="长三角生态绿色一体化发展示范区执行委员会",
            level="regional",
            city=None,
            province=None,
            kind="normative",
            issued_on="2021-06-10",
            effective_on="2021-07-01",
            domains=["registration"],
            text=_articles(
                "为推进长三角生态绿色一体化发展示范区市场准入一体化，实现企业登记标准统一、结果互认，制定本办法。",
                "示范区内实行统一的企业名称登记、经营范围表述和住所登记规则，企业登记“一网通办”，"
                "申请人可以在示范区任一登记窗口办理登记。",
                "示范区内推行“证照分离”改革全覆盖，同一许可事项实行统一的告知承诺书格式和核查标准。",
                "企业在示范区内跨区域迁移的，迁出地和迁入地登记机关同步办理，档案电子化移交。",
                "本办法自2021年7月1日起施行。",
            ),
        ),
        DemoDocument(
            key="zone-water-2022",
            title="长三角生态绿色一体化发展示范区跨界水体联保共治办法",
            doc_number="示范区执委发〔2022〕3号",
            issuer="长三角生态绿色一体化发展示范区执行委员会",
            level="regional",
            city=None,
            province=None,
            kind="normative",
            issued_on="2022-05-20",
            effective_on="2022-06-01",
            domains=["environment"],
            text=_articles(
                "为协同推进淀山湖、元荡、太浦河、汾湖等跨界水体保护治理，建设示范区蓝绿空间，制定本办法。",
                "青浦区、吴江区、嘉善县实行联合河湖长制，跨界河湖由相邻两地河湖长共同巡河、共同会商，"
                "对元荡湖岸线、太浦河清水走廊实行一河一策。",
                "三地生态环境部门统一省界断面水质监测方法和评价标准，监测数据实时共享；盛泽镇、黎里镇、"
                "金泽镇、西塘镇、姚庄镇等沿河镇建立联合巡查队伍。",
                "发现跨界水污染事件，属地河湖长应当在两小时内通报相邻地区，联合开展溯源排查和应急处置。",
                "本办法自2022年6月1日起施行。",
            ),
        ),
        DemoDocument(
            key="zone-talent-2023",
            title="长三角生态绿色一体化发展示范区人才分类认定和服务保障办法",
            doc_number="示范区执委发〔2023〕2号",
            issuer="长三角生态绿色一体化发展示范区执行委员会",
            level="regional",
            city=None,
            province=None,
            kind="normative",
            issued_on="2023-02-10",
            effective_on="2023-03-01",
            domains=["talent", "hr"],
            text=_articles(
                "为集聚示范区发展所需的各类人才，统一青浦区、吴江区、嘉善县的人才政策标准，制定本办法。",
                "示范区对引进的人才实行分类认定，分为领军人才、骨干人才和青年人才三类，认定标准在三地统一适用。",
                "在示范区一地取得的人才类别在其他两地同样有效，享受同等的安家补贴、子女入学和医疗保健服务。",
                "示范区设立人才服务窗口，人才在西岑科创中心、汾湖高新区、祥符荡创新中心等地工作的，"
                "可以就近办理人才服务事项。",
                "本办法自2023年3月1日起施行。",
            ),
        ),
        DemoDocument(
            key="region-innovation-2022",
            title="上海大都市圈科技创新协同发展行动方案",
            doc_number="沪苏浙科联发〔2022〕4号",
            issuer="上海大都市圈科技创新协同工作小组",
            level="regional",
            city=None,
            province=None,
            kind="plan",
            issued_on="2022-09-15",
            effective_on="2022-09-15",
            domains=["innovation"],
            text=_articles(
                "为推动上海大都市圈科技创新资源共享、产业协同，制定本方案。",
                "依托张江科学城、临港新片区和虹桥国际开放枢纽，联合苏州、无锡、宁波、嘉兴等地共建创新联合体，"
                "推进嘉昆太协同创新核心圈建设。",
                "成员城市共享大型科研仪器设施，科技创新券在大都市圈内通用通兑，企业可以跨市使用。",
                "对成员城市认定的高新技术企业，迁入其他成员城市的，其资格继续有效。",
                "本方案自印发之日起施行。",
            ),
        ),
        DemoDocument(
            key="region-elderly-2023",
            title="上海大都市圈养老服务异地协作办法",
            doc_number="沪苏浙民联发〔2023〕1号",
            issuer="上海大都市圈养老服务协同工作小组",
            level="regional",
            city=None,
            province=None,
            kind="normative",
            issued_on="2023-06-01",
            effective_on="2023-07-01",
            domains=["elderly", "public_service"],
            text=_articles(
                "为方便老年人在上海大都市圈内异地养老，推动养老服务标准互认、补贴异地结算，制定本办法。",
                "户籍老年人入住其他成员城市养老机构的，户籍地按照本地标准发放养老服务补贴，由入住地代为结算。",
                "成员城市统一养老机构等级评定标准，等级评定结果互认；长期护理保险失能评估结果在成员城市之间互认。",
                "鼓励在周庄、西塘、乌镇等江南水乡古镇周边建设康养基地，为异地养老的老年人提供旅居养老服务。",
                "本办法自2023年7月1日起施行。",
            ),
        ),
        DemoDocument(
            key="js-hitech-2021",
            title="江苏省高新技术企业培育实施办法",
            doc_number="苏政办发〔2021〕12号",
            issuer="江苏省人民政府办公厅",
            level="provincial",
            city=None,
            province="JS",
            kind="normative",
            issued_on="2021-04-06",
            effective_on="2021-04-06",
            domains=["innovation"],
            text=_articles(
                "为加快培育高新技术企业，壮大创新型企业集群，制定本办法。",
                "各设区市应当建立高新技术企业培育库，对入库企业给予研发费用补助和融资支持。"
                "高企培育工作纳入设区市高质量发展考核。",
                "对首次认定的高新技术企业，省级财政给予一次性奖励，设区市可以叠加奖励。",
                "高新技术企业享受企业所得税优惠和研发费用加计扣除政策。",
                "本办法自印发之日起施行。",
            ),
        ),
        DemoDocument(
            key="zj-permit-2022",
            title="浙江省排污许可管理实施办法",
            doc_number="浙环发〔2022〕8号",
            issuer="浙江省生态环境厅",
            level="provincial",
            city=None,
            province="ZJ",
            kind="normative",
            issued_on="2022-02-14",
            effective_on="2022-03-01",
            domains=["environment"],
            text=_articles(
                "为深化排污许可制度改革，构建以排污许可制为核心的固定污染源监管制度体系，制定本办法。",
                "排污许可证由设区市生态环境主管部门核发。排污单位应当依法申请取得排污许可证，按证排污。",
                "推进环境影响评价与排污许可制度衔接，实行环评审批与排污许可“一件事”改革。",
                "各设区市生态环境主管部门应当制定本地排污许可证核发实施细则。",
                "本办法自2022年3月1日起施行。",
            ),
        ),
        DemoDocument(
            key="national-hitech-2016",
            title="高新技术企业认定管理办法（演示摘录）",
            doc_number="国科发火〔2016〕32号",
            issuer="科技部 财政部 国家税务总局",
            level="national",
            city=None,
            province=None,
            kind="regulation",
            issued_on="2016-01-29",
            effective_on="2016-01-01",
            domains=["innovation"],
            text=_articles(
                "为扶持和鼓励高新技术企业的发展，根据有关法律法规，制定本办法。（演示摘录，非原文）",
                "本办法所称高新技术企业，是指在《国家重点支持的高新技术领域》内，持续进行研究开发与技术成果转化，"
                "形成企业核心自主知识产权，并以此为基础开展经营活动的居民企业。",
                "认定为高新技术企业须满足研究开发费用占销售收入比例、高新技术产品收入占比、科技人员占比等条件。",
                "通过认定的高新技术企业，其资格自颁发证书之日起有效期为三年。",
            ),
        ),
    ]
    # effective_on before issued_on is not allowed: the national excerpt takes effect on issue
    docs[-1].effective_on = docs[-1].issued_on
    return docs


TOPIC_BUILDERS = {
    "talent": (_talent, 2023),
    "hitech": (_hitech, 2022),
    "permit": (_permit, 2022),
    "medical": (_medical, 2021),
    "registration": (_registration, 2021),
    "land": (_land, 2020),
    "elderly": (_elderly, 2022),
    "fund": (_fund, 2021),
    "industry": (_catalogue, 2020),
}


def _with_tail(doc: DemoDocument, city_name: str) -> None:
    """Add the organisation, coordination and supervision articles every document has, before the last article."""
    word = next((w for w in ("办法", "措施", "细则", "方案", "目录", "规则") if w in doc.title), "规定")
    tail = [
        f"{doc.issuer}负责本{word}的组织实施，会同发展改革、财政、市场监督管理等部门建立工作协调机制，研究解决"
        "实施中的重大问题。各区（县、市）应当结合实际制定配套措施，明确责任分工和工作时限。",
        "有关部门应当依托一体化政务服务平台实现信息共享和业务协同，推动申请材料电子化、办理过程透明化。除法律"
        "法规另有规定外，不得要求申请人重复提交已由政府部门核发的证照和材料。",
        f"{city_name}按照上海大都市圈重大政策沟通协调机制的要求，在制定和调整本领域政策时，主动征求其他成员城市"
        "和专家咨询委员会的意见，推动政策标准衔接统一。",
        f"监察、审计部门依法对本{word}执行情况实施监督。工作人员在实施过程中滥用职权、玩忽职守、徇私舞弊的，"
        "依法依规追究责任。",
    ]
    paragraphs = [line.split("\u3000", 1)[1] for line in doc.text.splitlines()]
    doc.text = _articles(*paragraphs[:-1], *tail, paragraphs[-1], f"本{word}由{doc.issuer}负责解释。")


def demo_documents() -> list[DemoDocument]:
    """All demo documents, in an order that lets relations point back to earlier documents."""
    docs: list[DemoDocument] = _regional()
    for c in CITIES:
        for topic, (builder, year) in TOPIC_BUILDERS.items():
            year = year + (c.index % 3 == 2 and topic not in ("talent",))  # spread the years a little
            docs.append(builder(c, year))
    # earlier versions: repealed by the current talent rules (SH, SZ, WX, NB), amended (CZ permit rules)
    for code in ("SH", "SZ", "WX", "NB"):
        c = next(x for x in CITIES if x.code == code)
        old = _talent(c, 2018, old=True)
        docs.insert(5, old)
        new = next(d for d in docs if d.key == f"{code.lower()}-talent-2023")
        new.relations.append(("repeals", old.key))
    cz_old = _permit(next(x for x in CITIES if x.code == "CZ"), 2019)
    docs.insert(5, cz_old)
    next(d for d in docs if d.key == "cz-permit-2022").relations.append(("amends", cz_old.key))
    for d in docs:
        if d.topic == "medical" and d.city:
            d.relations.append(("implements", "region-medical-2022"))
        if d.topic == "hitech" and d.city:
            d.relations.append(("cites", "national-hitech-2016"))
            if d.province == "JS":
                d.relations.append(("implements", "js-hitech-2021"))
        if d.topic == "permit" and d.province == "ZJ":
            d.relations.append(("implements", "zj-permit-2022"))
        _with_tail(d, next((c.name for c in CITIES if c.code == d.city), "各成员城市"))
    return docs
