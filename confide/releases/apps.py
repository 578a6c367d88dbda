from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "confide.releases"
    label = "releases"
