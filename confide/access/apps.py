from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "confide.access"
    label = "access"
