"""System administrators keep the national lists here: categories' subtypes
and category fields (SPEC §3: settings live in the database). A county adds
and switches off its own on its 分类与字段 page (audited); units themselves
are kept on the ordinary, audited pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from xieguan.units.models import Category, CategoryField, Subtype, Unit
from xieguan.units.services import units_refresh_completeness


class SubtypeInline(admin.TabularInline):
    model = Subtype
    extra = 1
    fields = ["name", "sort", "county", "is_active"]
    raw_id_fields = ["county"]


class CategoryFieldInline(admin.TabularInline):
    model = CategoryField
    extra = 1
    fields = ["key", "label", "kind", "choices", "required", "sort", "county", "is_active"]
    raw_id_fields = ["county"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort"]
    inlines = [SubtypeInline, CategoryFieldInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        # Required fields define a complete file; keep the stored flag true.
        units_refresh_completeness(category=form.instance)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "area", "status", "is_complete"]
    list_filter = ["category", "status", "is_complete"]
    search_fields = ["name", "credit_code", "name_initials"]
    raw_id_fields = ["area"]
    readonly_fields = ["name_initials", "is_complete"]
