"""People and organisations, and the personal access tokens of the API."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from partnering.core.models import TimeStampedModel


class OrganisationKind(models.TextChoices):
    CUSTOMER = "customer", "Customer (public sector)"
    PROVIDER = "provider", "Provider (IT service provider)"
    NEUTRAL = "neutral", "Neutral (for example a partnering facilitator)"


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    require_two_factor = models.BooleanField(
        "require two-factor sign-in",
        default=False,
        help_text="Its people must set up an authenticator app before they see any arrangement.",
    )
    sso_email_domains = models.TextField(
        "single sign-on e-mail domains",
        blank=True,
        help_text=(
            "E-mail domains, one a line, whose people may sign in with the organisation's own account "
            "(OpenID Connect); an unknown person of such a domain gets an account in this organisation."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sso_domains(self) -> list[str]:
        return [d.strip().lower() for d in self.sso_email_domains.replace(",", "\n").splitlines() if d.strip()]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        for domain in self.sso_domains:
            if "@" in domain or "." not in domain or " " in domain:
                raise ValidationError({"sso_email_domains": f"‘{domain}’ is not an e-mail domain."})
            owner = organisation_for_email_domain(domain)
            if owner is not None and owner.pk != self.pk:
                raise ValidationError({"sso_email_domains": f"‘{domain}’ already belongs to {owner}."})

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if not self.slug:
            self.slug = slugify(self.name)[:200] or secrets.token_hex(4)
        super().save(*args, **kwargs)


def organisation_for_email_domain(domain: str) -> Organisation | None:
    """The one organisation whose single sign-on domains include `domain`, if any."""
    domain = domain.strip().lower()
    if not domain:
        return None
    for organisation in Organisation.objects.filter(sso_email_domains__icontains=domain):
        if domain in organisation.sso_domains:
            return organisation
    return None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):  # noqa: ANN003
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):  # noqa: ANN003
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):  # noqa: ANN003
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in by e-mail address."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField("full name", max_length=200)
    job_title = models.CharField("job title", max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    is_portfolio_manager = models.BooleanField(
        default=False, help_text="Sees every arrangement of their own organisation in the portfolio."
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


TOKEN_PREFIX = "prt_"


def hash_token(raw: str) -> str:
    """Tokens are random and long, so one round of SHA-256 is enough at rest."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A personal access token; only its hash is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise a token.")
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at", "updated_at"])
