from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "confide.crypto"
    label = "crypto"
