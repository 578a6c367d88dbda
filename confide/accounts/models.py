"""Organisation and staff tables. Staff have one agency and one role; teams carry caseloads."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from confide.core.enums import Role
from confide.core.models import BaseModel


class Agency(BaseModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    hiv_restricted = models.BooleanField(
        default=False,
        help_text="HIV-labelled records only for staff designated for them (state law setting).",
    )
    training_validity_days = models.PositiveIntegerField(
        default=365, help_text="How long a confidentiality training completion stays current."
    )
    case_number_prefix = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="Registered cases are numbered PREFIX-00001, PREFIX-00002, ... (no prefix: "
        "00001, ...); see records.services.client_register.",
    )

    def __str__(self) -> str:
        return self.name


class Program(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    is_part2 = models.BooleanField(default=False, help_text="Holds 42 CFR Part 2 SUD records.")

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, BaseModel):
    """A staff member. Signs in with email, password and a TOTP code."""

    email = models.EmailField(unique=True, max_length=254)
    display_name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=32, choices=Role.choices)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    is_active = models.BooleanField(default=True)
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervisees"
    )
    is_trainee = models.BooleanField(
        default=False, help_text="In the agency's supervised mental-health training program."
    )
    dv_designated = models.BooleanField(
        default=False, help_text="May see domestic-violence location information."
    )
    hiv_designated = models.BooleanField(
        default=False, help_text="May see HIV-labelled records where the agency restricts them."
    )
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    objects = UserManager()

    def __str__(self) -> str:
        return self.display_name


class ApiToken(BaseModel):
    """A personal access token. Only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
