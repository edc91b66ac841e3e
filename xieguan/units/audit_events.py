"""The audit events of the unit registry, named for the audit-log page.
Imported by UnitsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Units"),
    {
        "unit.create": _("Unit registered"),
        "unit.update": _("Unit changed"),
        "unit.merge": _("Duplicate unit merged"),
        "unit.import": _("Unit imported from Excel"),
        "licence.add": _("Licence added"),
        "certificate.add": _("Staff certificate added"),
        "unit_import.upload": _("Unit sheet uploaded"),
        "unit_import.import": _("Unit sheet imported"),
        "unit_import.cancel": _("Unit sheet cancelled"),
    },
)
register_events(
    _("Unit categories"),
    {
        "subtype.add": _("County subtype added"),
        "subtype.deactivate": _("County subtype switched off"),
        "subtype.reactivate": _("County subtype switched back on"),
        "category_field.add": _("County category field added"),
        "category_field.deactivate": _("County category field switched off"),
        "category_field.reactivate": _("County category field switched back on"),
    },
)

register_change_labels(
    {
        "merged_units": _("merged unit"),
        "merged_credit_code": _("credit code of the merged unit"),
        "units_created": _("units imported"),
    }
)
