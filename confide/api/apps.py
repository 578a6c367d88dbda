"""Django app registration for the JSON API (no models)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "confide.api"
    label = "api"
