"""The six categories of SPEC §3 with their subtypes and category fields.

They are data, not code: a county adds subtypes and fields of its own later.
The reverse removes exactly the rows seeded here (units referring to them
block it, through PROTECT, as they should)."""

from django.db import migrations

# code, name, [subtypes], [(key, label, kind, choices, required)]
CATEGORIES = [
    (
        "public_place",
        "公共场所",
        ["住宿", "沐浴", "美容美发", "游泳场所", "歌舞厅/网吧等文化娱乐", "商场", "候车室"],
        [
            ("floor_area", "营业面积（m²）", "decimal", [], True),
            ("staff_count", "从业人员数", "int", [], True),
            ("central_air_conditioning", "集中空调通风系统", "bool", [], True),
            ("hygiene_licence_no", "卫生许可证号", "text", [], True),
        ],
    ),
    (
        "drinking_water",
        "生活饮用水",
        ["农村集中式供水", "城市二次供水", "学校供水/自备水", "分散式供水"],
        [
            ("water_source", "水源类型", "choice", ["地表水", "地下水", "市政管网"], True),
            ("population_served", "供水人口", "int", [], True),
            ("disinfection_method", "消毒方式", "choice", ["液氯", "二氧化氯", "次氯酸钠", "紫外线", "臭氧", "无"], True),
            ("last_water_test", "最近一次水质检测", "date", [], False),
        ],
    ),
    (
        "school",
        "学校卫生",
        ["托幼机构", "小学", "中学", "职业学校"],
        [
            ("pupils", "在校学生数", "int", [], True),
            ("boarding", "寄宿制", "bool", [], True),
            ("school_doctor", "校医/保健教师", "text", [], True),
            ("canteen", "设有食堂", "bool", [], True),
            ("own_water_supply", "自备供水", "bool", [], False),
        ],
    ),
    (
        "medical",
        "医疗机构",
        ["村卫生室", "个体诊所", "民营医院/门诊部", "卫生院", "采供血机构"],
        [
            ("practice_licence_no", "执业许可证号", "text", [], True),
            ("practice_scope", "诊疗科目", "text", [], True),
            ("practitioners", "执业人员数", "int", [], True),
            ("medical_waste_contract", "签订医疗废物处置合同", "bool", [], True),
            ("radiology", "开展放射诊疗", "bool", [], False),
        ],
    ),
    (
        "food",
        "食品安全",
        ["餐饮服务单位", "集体食堂", "农村家宴", "建筑工地食堂"],
        [
            ("seats", "餐位数", "int", [], True),
            ("food_licence_no", "食品经营许可证号", "text", [], True),
        ],
    ),
    (
        "occupational",
        "职业卫生",
        ["存在职业病危害的用人单位"],
        [
            ("hazard_factors", "职业病危害因素", "text", [], True),
            ("exposed_workers", "接触危害人数", "int", [], True),
        ],
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("units", "Category")
    Subtype = apps.get_model("units", "Subtype")
    CategoryField = apps.get_model("units", "CategoryField")
    for sort, (code, name, subtypes, fields) in enumerate(CATEGORIES, start=1):
        category = Category.objects.create(code=code, name=name, sort=sort)
        Subtype.objects.bulk_create(Subtype(category=category, name=s, sort=i) for i, s in enumerate(subtypes, start=1))
        CategoryField.objects.bulk_create(
            CategoryField(category=category, key=k, label=label, kind=kind, choices=choices, required=req, sort=i)
            for i, (k, label, kind, choices, req) in enumerate(fields, start=1)
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("units", "Category")
    Subtype = apps.get_model("units", "Subtype")
    CategoryField = apps.get_model("units", "CategoryField")
    codes = [c[0] for c in CATEGORIES]
    CategoryField.objects.filter(category__code__in=codes).delete()
    Subtype.objects.filter(category__code__in=codes).delete()
    Category.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
