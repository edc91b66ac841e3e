import datetime

from django.utils import timezone

from xieguan.core.validators import validate_credit_code
from xieguan.demo.units import load_units
from xieguan.units.models import Licence, Unit
from xieguan.units.selectors import UnitFilters, is_complete, units_filtered


def test_demo_registry_is_realistic_and_valid(demo, comanager_in, outsider):
    units = load_units(demo, count=400)
    assert Unit.objects.count() == 400
    codes = [u.credit_code for u in units if u.credit_code]
    assert len(codes) == len(set(codes)) > 300
    for code in codes:
        validate_credit_code(code)
    assert Unit.objects.filter(credit_code__isnull=True).exists()
    today = timezone.localdate()
    assert Licence.objects.filter(expires_on__lt=today).exists()
    assert Licence.objects.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=30)).exists()
    incomplete = Unit.objects.filter(is_complete=False)
    assert 0 < incomplete.count() < 60
    # What the demo stores is what the services' rule says.
    for unit in Unit.objects.select_related("category").order_by("name")[:50]:
        assert unit.is_complete == is_complete(unit)
    found = list(units_filtered(comanager_in, UnitFilters(q="hxjd")))
    assert "红星酒店" in [u.name for u in found]
    assert not units_filtered(outsider, UnitFilters(q="红星酒店")).exists()
    assert Unit.history.count() == 400


def test_demo_has_duplicate_pairs_in_the_first_township_to_merge(demo):
    from xieguan.units.selectors import duplicate_pairs_for

    load_units(demo, count=400)
    pairs = duplicate_pairs_for(demo.users["cg1"])
    names = {(p.first.name, p.second.name) for p in pairs}
    assert len(pairs) >= 3, names
    assert all(p.first.area.path.startswith(demo.townships[0].path) for p in pairs)
    assert duplicate_pairs_for(demo.users["dh1"]) == []
