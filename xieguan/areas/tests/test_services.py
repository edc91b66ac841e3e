import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.accounts.models import Institution
from xieguan.areas import services
from xieguan.areas.models import Area, Level
from xieguan.core.models import AuditEvent


def test_county_admin_adds_a_village(demo, county_admin, township):
    village = services.area_create(actor=county_admin, parent=township, name="新村", code="990101100203")
    assert village.level == Level.VILLAGE and village.path.startswith(township.path)
    assert AuditEvent.objects.filter(action="area.create", object_id=str(village.pk)).exists()


def test_create_is_idempotent_on_the_client_id(demo, county_admin, township):
    record_id = uuid.uuid4()
    first = services.area_create(actor=county_admin, parent=township, name="新村", id=record_id)
    again = services.area_create(actor=county_admin, parent=township, name="新村", id=record_id)
    assert first.pk == again.pk == record_id
    assert Area.objects.filter(name="新村").count() == 1


def test_comanager_may_not_add_areas(demo, comanager_in, township):
    with pytest.raises(PermissionDenied):
        services.area_create(actor=comanager_in, parent=township, name="新村")
    assert not Area.objects.filter(name="新村").exists()


def test_outsider_gets_404_and_nothing_changes(demo, outsider, township):
    with pytest.raises(Http404):
        services.area_update(actor=outsider, area=township, name="改名", code=None)
    township.refresh_from_db()
    assert township.name == "城关镇"


def test_wrong_prefix_is_refused_with_the_field_named(demo, county_admin, township):
    with pytest.raises(ValidationError) as info:
        services.area_create(actor=county_admin, parent=township, name="新村", code="990101101203")
    assert "code" in info.value.error_dict


def test_duplicate_code_is_refused(demo, county_admin, township):
    with pytest.raises(ValidationError):
        services.area_create(actor=county_admin, parent=township, name="李家村二", code="990101100201")


def test_rename_keeps_the_old_name_in_history(demo, county_admin, township):
    services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    names = list(township.history.order_by("history_date").values_list("name", flat=True))
    assert names[0] == "城关镇" and names[-1] == "城关街道"


def test_retire_moves_villages_and_closes_institutions(demo, county_admin):
    old, successor = demo.townships[1], demo.townships[0]
    villages = list(old.children.values_list("pk", flat=True))
    result = services.area_retire(actor=county_admin, area=old, successor=successor, on=datetime.date(2026, 1, 1))
    assert result.moved_children == len(villages) == 2
    for village in Area.objects.filter(pk__in=villages):
        assert village.parent_id == successor.pk
        assert village.path.startswith(successor.path)
    # every institution below the moved villages now lies in the successor's scope
    assert Institution.objects.filter(area__path__startswith=successor.path, type="info_point").count() == 5
    old.refresh_from_db()
    assert old.retired_on == datetime.date(2026, 1, 1) and old.successor == successor
    assert Institution.objects.get(area=old).closed_on == datetime.date(2026, 1, 1)
    assert AuditEvent.objects.filter(action="area.retire", object_id=str(old.pk)).exists()


def test_retire_into_a_different_level_is_refused(demo, county_admin):
    with pytest.raises(ValidationError):
        services.area_retire(actor=county_admin, area=demo.townships[1], successor=demo.villages[0])


def test_move_rewrites_the_whole_subtree_path(demo, county_admin):
    village = demo.villages[3]  # 河东村 of 河东镇
    services.area_move(actor=county_admin, area=village, new_parent=demo.townships[0])
    village.refresh_from_db()
    assert village.path == demo.townships[0].path + village.segment()


# --- import ---------------------------------------------------------------------------


def test_import_builds_the_tree_from_codes(demo, county_admin):
    rows = [
        (2, "990101300000", "新城镇"),
        (3, "990101300201", "新城村"),
        (4, "990101300202", "老街村"),
        (5, "990101100201", "李家村"),
    ]
    summary = services.areas_import(actor=county_admin, rows=rows)
    assert (summary.created, summary.renamed, summary.unchanged) == (3, 0, 1)
    town = Area.objects.get(code="990101300000")
    assert town.parent == demo.county and town.children.count() == 2


def test_import_with_one_bad_row_imports_nothing(demo, county_admin):
    rows = [
        (2, "990101300000", "新城镇"),
        (3, "990101300201", "新城村"),
        (4, "99010130020", "坏代码村"),
        (5, "990101400201", "无上级村"),
        (6, "990101300201", "重复村"),
        (7, "990101300203", ""),
    ]
    with pytest.raises(services.ImportRejected) as info:
        services.areas_import(actor=county_admin, rows=rows)
    reasons = {e.row: e.reason for e in info.value.errors}
    assert set(reasons) == {4, 5, 6, 7}
    assert "12 位数字" in reasons[4]
    assert "既不在文件中" in reasons[5]
    assert "第 3 行重复" in reasons[6]
    assert "名称为空" in reasons[7]
    assert not Area.objects.filter(code__startswith="9901013").exists()


def test_import_outside_the_county_is_refused(demo, county_admin):
    rows = [(2, "990102000000", "邻县"), (3, "990102100000", "邻县镇")]
    with pytest.raises(services.ImportRejected):
        services.areas_import(actor=county_admin, rows=rows)
    assert not Area.objects.filter(code__startswith="990102").exists()
