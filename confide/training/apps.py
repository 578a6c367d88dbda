from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "confide.training"
    label = "training"
