from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "qyzmet.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
