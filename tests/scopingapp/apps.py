from django.apps import AppConfig


class ScopingAppConfig(AppConfig):
    name = "tests.scopingapp"
    label = "scopingapp"
