from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xieguan.accounts"
    label = "accounts"
