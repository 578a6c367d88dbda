from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "confide.consent"
    label = "consent"
