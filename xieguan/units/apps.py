from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xieguan.units"
    label = "units"
