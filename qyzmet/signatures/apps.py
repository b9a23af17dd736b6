from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "qyzmet.signatures"
    label = "signatures"
    verbose_name = "Signatures and PKI"
