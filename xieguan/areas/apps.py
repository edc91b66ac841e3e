from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "xieguan.areas"
    label = "areas"
