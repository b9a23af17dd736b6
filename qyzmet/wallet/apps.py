from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "qyzmet.wallet"
    label = "wallet"
    verbose_name = "Digital documents wallet"
