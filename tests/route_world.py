"""One record of every kind in 城关镇 (the first demo township, cg1's area),
made once for the route sweep (tests/test_route_scope.py): the ids its
scoped routes are filled with. Made through the services where they are
quick, so the rows look like the ones users make; every text a user
could see carries MARK, which must never show up for the sibling township."""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xieguan.demo.county import DEMO_PASSWORD, DemoCounty, load_county

# In every 城关镇 record a user reads; nowhere else in the demo county.
MARK = "扫查专用"


def jpeg(color: str = "teal") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    demo: DemoCounty
    records: dict[str, Any]
    keys: dict[str, str] = field(default_factory=dict)  # API tokens by username

    def __getattr__(self, name: str) -> Any:
        if name in ("records", "demo", "keys"):
            raise AttributeError(name)
        try:
            return self.records[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(demo_records: Iterable[Callable[[DemoCounty], None]] = ()) -> World:
    """The demo county and, in 城关镇, one of each record a route shows or
    changes; ``demo_records`` (the demo's loaders, xieguan/demo) are loaded
    into the county first, so the world's records number after theirs."""
    from xieguan.accounts import services as accounts
    from xieguan.accounts.lockout import lock_record
    from xieguan.accounts.models import RoleCode, SignInLockKind
    from xieguan.complaints import services as complaints
    from xieguan.complaints.models import Channel, ComplaintPhoto
    from xieguan.field import services as field
    from xieguan.inspections.models import ChecklistTemplate, HandoverReason, ReinspectionResult, SignerRole
    from xieguan.inspections.services.evidence import inspection_photo_add
    from xieguan.inspections.services.followups import handover_create, reinspection_record
    from xieguan.inspections.services.opinions import opinion_issue
    from xieguan.inspections.tests.factories import draft, submitted
    from xieguan.monthly.models import MonthlyReport, MonthlyStatus
    from xieguan.outreach import services as outreach
    from xieguan.reports import services as reports
    from xieguan.reports.models import ReportCategory
    from xieguan.units import batches
    from xieguan.units import services as units
    from xieguan.units.imports import template_xlsx
    from xieguan.units.models import Category
    from xieguan.units.tests.factories import credit_code, make_unit

    demo = load_county()
    for load in demo_records:
        load(demo)
    town, beside = demo.townships[0], demo.townships[1]
    cg1, cg2, bureau, dh1 = (demo.users[name] for name in ("cg1", "cg2", "bureau", "dh1"))
    today = timezone.localdate()
    now = timezone.now()
    r: dict[str, Any] = {"township": town, "county": demo.county, "cg1": cg1, "institution": cg1.institution}

    r["unit"] = make_unit(cg1, town, name=f"{MARK}酒店", credit_code=credit_code(901))
    # A second unit of 城关镇, for the merge route's <other>.
    r["other_unit"] = make_unit(cg1, town, name=f"{MARK}饭店", credit_code=credit_code(902))
    # The sibling township's own unit: what dh1 legitimately sees.
    make_unit(dh1, beside, name="河东饭庄", credit_code=credit_code(903))
    r["licence"] = units.licence_add(actor=cg1, unit=r["unit"], kind="卫生许可证", number=f"{MARK}001")
    r["certificate"] = units.certificate_add(
        actor=cg1, unit=r["unit"], person_name=f"{MARK}甲", kind="health_certificate"
    )
    # The county's own subtype and field (county settings: no MARK, since
    # dh1's township lies in the same county and rightly sees them).
    from xieguan.units import categories

    food = Category.objects.get(code="food")
    r["county_subtype"], _ = categories.subtype_add(actor=bureau, county=demo.county, category=food, name="夜市摊点")
    r["county_field"], _ = categories.category_field_add(
        actor=bureau, county=demo.county, category=food, label="包间数", kind="int"
    )
    workbook = template_xlsx(Category.objects.get(code="food"), cg1)
    r["import_batch"] = batches.import_batch_create(
        actor=cg1,
        category=Category.objects.get(code="food"),
        upload=SimpleUploadedFile("units.xlsx", workbook, content_type="application/octet-stream"),
    )

    r["inspection"] = submitted(cg1, r["unit"], inspectors=[cg1, cg2], fails=1)
    r["signature"] = r["inspection"].signatures.filter(role=SignerRole.INSPECTOR).first()
    r["draft"] = draft(cg1, r["other_unit"], inspectors=[cg1, cg2])
    r["photo"], _ = inspection_photo_add(actor=cg1, inspection=r["draft"], upload=jpeg())
    r["opinion"] = opinion_issue(
        actor=cg1,
        inspection=r["inspection"],
        text=f"{MARK}：请办理健康证",
        deadline=today + datetime.timedelta(days=10),
    )
    r["reinspection"] = reinspection_record(
        actor=cg1,
        opinion=r["opinion"],
        inspected_at=now,
        result=ReinspectionResult.NOT_RECTIFIED,
        inspectors=[cg1, cg2],
    )
    r["handover"] = handover_create(
        actor=cg1, reason=HandoverReason.NOT_RECTIFIED, description=MARK, reinspection=r["reinspection"]
    )
    r["checklist"] = ChecklistTemplate.objects.filter(county__isnull=True).first()
    # County patrol settings (no MARK: dh1's township lies in the same county)
    # and 城关镇's plan of the month, which holds a unit with MARK.
    from xieguan.inspections.services import checklists as checklist_settings
    from xieguan.inspections.services import plans

    r["frequency_rule"] = checklist_settings.frequency_rule_set(
        actor=bureau, county=demo.county, category=None, key_unit=True, period="month"
    )
    r["phrase"] = checklist_settings.forbidden_phrase_add(actor=bureau, county=demo.county, phrase="从重处理")
    r["plan"] = plans.plan_prefill(actor=cg1, township=town, year=today.year, month=today.month, units=[r["unit"]])

    r["outreach"] = outreach.outreach_create(
        actor=cg1, area=town, date=today, place="卫生院门口", form="consultation", theme=f"{MARK}宣传"
    )
    r["outreach_photo"], _ = outreach.outreach_photo_add(actor=cg1, outreach=r["outreach"], upload=jpeg())
    r["training"] = outreach.training_create(
        actor=cg1, area=town, level="township", topic=f"{MARK}培训", date=today, hours=Decimal("2"), trainer="李"
    )

    r["report"], _ = reports.report_create(
        actor=cg1,
        category="food_safety",
        found_at=now - datetime.timedelta(minutes=30),
        place="李家村",
        content=f"{MARK}：销售过期食品",
    )
    r["report_photo"], _ = reports.report_photo_add(actor=cg1, report=r["report"], upload=jpeg())
    r["exposed"], _ = reports.exposed_person_register(
        actor=cg1, area=town, name=f"{MARK}乙", employer="城关采石场", hazard_factors="粉尘"
    )
    r["report_category"] = ReportCategory.objects.filter(county__isnull=True).first()

    _filed, r["complaint"], _ = complaints.complaint_register(
        actor=cg1, township=town, category="food", content=f"{MARK}：后厨有老鼠", channel=Channel.PHONE, unit=r["unit"]
    )
    _filed, r["other_complaint"], _ = complaints.complaint_register(
        actor=cg1, township=town, category="food", content=f"{MARK}：同一家饭店", channel=Channel.PHONE
    )
    r["complaint_photo"] = ComplaintPhoto.objects.create(complaint=r["complaint"], image=jpeg(), sha256="0" * 64)

    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    r["monthly"] = MonthlyReport.objects.create(
        township=town,
        year=last_month.year,
        month=last_month.month,
        status=MonthlyStatus.SUBMITTED,
        deadline=today,
        submitted_at=now,
        submitted_by=cg1,
    )

    r["transfer"] = accounts.transfer_request(actor=bureau, person=cg2, to_institution=demo.stations[1], reason=MARK)
    r["token"], _key = accounts.token_issue(user=cg1)
    # A sign-in lock belongs to the locked person's area: this one to a
    # co-manager of 城关镇, whose name shows in the lockout list. A lock on an
    # address belongs to no area (system administrators only).
    locked = accounts.user_create(
        actor=bureau,
        institution=cg1.institution,
        username="sweep-locked",
        password=DEMO_PASSWORD,
        roles=[RoleCode.COMANAGER],
        full_name=f"{MARK}丙",
    )
    r["lock"] = lock_record(kind=SignInLockKind.ACCOUNT, username=locked.username, ip_address="203.0.113.7", at=now)
    r["address_lock"] = lock_record(kind=SignInLockKind.ADDRESS, username="", ip_address="203.0.113.8", at=now)
    content = b"\xff\xd8" + b"0" * 100
    r["upload"], _ = field.upload_start(
        actor=cg1,
        id=uuid.uuid4(),
        target="inspection_photo",
        record_id=r["draft"].pk,
        length=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="image/jpeg",
    )
    from xieguan.campaigns import services as campaigns

    # The county's campaign, drawn in 城关镇 only: its targets lie there, so
    # dh1 sees neither it nor its draw.
    r["campaign"] = campaigns.campaign_create(
        actor=demo.users["inst"],
        area=demo.county,
        name=f"{MARK}专项检查",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=30),
        category=food,
        basis_file=SimpleUploadedFile("依据.pdf", b"%PDF-1.4 basis", content_type="application/pdf"),
    )
    r["draw"] = campaigns.draw_make(
        actor=demo.users["inst"], campaign=r["campaign"], filters={"townships": [str(town.pk)]}, count=2
    )
    r["campaign_target"] = r["campaign"].targets.order_by("unit__name").first()
    r["campaign_material"] = campaigns.material_add(
        actor=demo.users["inst"], campaign=r["campaign"], upload=jpeg("olive"), title=f"{MARK}动员会照片"
    )
    r["draw_conflict"] = campaigns.conflict_declare(
        actor=demo.users["inst"], unit=r["campaign_target"].unit, inspector=demo.users["inst"], reason=f"{MARK}亲属"
    )
    from xieguan.risk.services import recompute

    # 城关镇's scores: the risk routes show them; its record drawn for review, found with problems.
    recompute(r["unit"].__class__.objects.filter(area__path__startswith=town.path))
    from xieguan.risk.models import RecordReview

    r["review"] = RecordReview.objects.create(
        inspection=r["inspection"],
        area=r["inspection"].area,
        year=today.year,
        month=today.month,
        result="problem",
        comment=f"{MARK}记录不全",
    )
    r.update(_assessment_records(demo, town, today))
    from xieguan.archives import package as archive_package
    from xieguan.archives import services as archives

    tiny_pdf = __import__("weasyprint").HTML(string="<p>扫查</p>").write_pdf()
    r["document"] = archives.document_upload(
        actor=cg1, owner_kind="unit", owner_id=r["unit"].pk, title=f"{MARK}资料",
        upload=SimpleUploadedFile("资料.pdf", tiny_pdf),
    )  # fmt: skip
    r["document_version"] = r["document"].current
    r["upper_document"] = archives.upper_document_issue(
        actor=demo.users["inst"], title=f"{MARK}上级文件", targets=[town],
        upload=SimpleUploadedFile("通知.pdf", tiny_pdf),
    )  # fmt: skip
    r["year_package"] = archive_package.build(archives.package_start(actor=cg1, area=town, year=today.year))
    # The world is written inside one transaction the tests never commit, so
    # PostgreSQL's planner has no statistics for its rows (autovacuum only
    # sees committed ones) and plans the county's aggregates as if the
    # tables were empty: the checklist analytics ran past the suite's 2-minute
    # statement limit. A server has statistics; give the world them too.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return World(demo=demo, records=r)


def _assessment_records(demo: DemoCounty, town: Any, today: datetime.date) -> dict[str, Any]:
    """A county scheme and a released assessment of 城关镇 alone (so dh1 sees
    neither), with a manual score carrying evidence and cg1's open appeal;
    城关镇's population and a 督导 visit of its station."""
    from xieguan.assessments import services as assessments
    from xieguan.assessments.models import ItemKind

    bureau, inst, cg1 = demo.users["bureau"], demo.users["inst"], demo.users["cg1"]
    r: dict[str, Any] = {}
    r["population"] = assessments.population_save(
        actor=bureau, area=town, year=today.year, population=1000, source=f"{MARK}统计"
    )
    scheme = r["assessment_scheme"] = assessments.scheme_create(actor=bureau, area=demo.county, name=f"{MARK}考核方案")
    assessments.scheme_item_add(
        actor=bureau, scheme=scheme, name="台账", max_score=50, kind=ItemKind.AUTO, indicator_code="filing", target=95
    )
    r["assessment_item"] = assessments.scheme_item_add(
        actor=bureau, scheme=scheme, name=f"{MARK}两表一书", max_score=50
    )
    assessments.scheme_publish(actor=bureau, scheme=scheme)
    a = r["assessment"] = assessments.assessment_create(
        actor=bureau,
        scheme=scheme,
        name=f"{MARK}考核",
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 6, 30),
        areas=[town],
    )
    assessments.assessment_start(actor=bureau, assessment=a, today=today)
    score = r["item_score"] = a.scores.select_related("item", "assessment").get(item__kind=ItemKind.MANUAL)
    assessments.item_score_set(
        actor=inst,
        score=score,
        value=40,
        notes=f"{MARK}台账齐全",
        evidence=SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 evidence", content_type="application/pdf"),
    )
    assessments.assessment_release(actor=bureau, assessment=a, today=today)
    assessments.bulletin_save(actor=bureau, assessment=a, text=f"{MARK}考核通报\n城关镇第1名。")
    r["appeal"] = assessments.appeal_create(
        actor=cg1, assessment=a, area=town, item=score.item, reason=f"{MARK}请复核", today=today
    )
    r["station_visit"] = assessments.station_visit_create(
        actor=inst, area=town, visited_on=today, supervisors="李明华", findings=f"{MARK}台账不全"
    )
    return r
