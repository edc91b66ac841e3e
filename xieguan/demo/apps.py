from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xieguan.demo"
    label = "demo"
