"""Kinds of personal relationship that put up a conflict wall."""

from django.db import models


class Relationship(models.TextChoices):
    RELATIVE = "relative", "Relative"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    FORMER_PARTNER = "former_partner", "Former partner"
    STAFF_IS_CLIENT = "staff_is_client", "The staff member is also this client"
    OTHER = "other", "Other"
