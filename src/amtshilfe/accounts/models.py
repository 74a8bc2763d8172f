"""One user model for everyone who logs in: staff now, citizens and organisation accounts later."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """Log-in names are e-mail addresses, stored lower-case: match them so."""
        return self.get(email=(username or "").strip().lower())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", User.Kind.STAFF)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CITIZEN = "citizen", _("Citizen")
        ORGANISATION_ACCOUNT = "organisation_account", _("Organisation account")

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    kind = models.CharField(_("kind of account"), max_length=32, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access (platform operators only; see amtshilfe.core.admin_site).
    is_staff = models.BooleanField(_("may use the operator admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["kind"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF


class BusinessAccount(models.Model):
    """Organisationskonto: a business or association that deals with the authorities.

    People act for it through their own accounts (:class:`BusinessMember`); messages from
    authorities to the business go to its Postfach, which members with the right role read.
    """

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=100, blank=True)
    register_number = models.CharField(
        _("register number"),
        max_length=100,
        blank=True,
        help_text=_("e.g. HRB 12345, Amtsgericht Gießen"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation account")
        verbose_name_plural = _("organisation accounts")

    def __str__(self) -> str:
        return self.name


class BusinessMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner: manages members, applies, reads the Postfach")
        POSTBOX = "postbox", _("Member who reads and answers the Postfach")
        MEMBER = "member", _("Member who applies on the organisation's behalf")

    business = models.ForeignKey(
        BusinessAccount,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("organisation account"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="business_memberships",
        verbose_name=_("account"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    #: Roles that may read and answer the organisation's Postfach.
    POSTBOX_ROLES = (Role.OWNER, Role.POSTBOX)

    class Meta:
        verbose_name = _("member of an organisation account")
        verbose_name_plural = _("members of organisation accounts")
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="business_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) – {self.business}"


class LoginSession(models.Model):
    """A login that is still open, so its owner can see it and end it ("Sitzungen")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    device = models.CharField(_("device"), max_length=100)
    trust_level = models.CharField(_("trust level"), max_length=16)
    created_at = models.DateTimeField(_("logged in"), default=timezone.now)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self) -> str:
        return f"{self.device} ({self.created_at:%Y-%m-%d %H:%M})"


class KnownDevice(models.Model):
    """A browser the account has logged in from (a random cookie, stored here as a hash).

    A login from a browser not known yet sends the account a notice by e-mail.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    token_hash = models.CharField(max_length=64)
    device = models.CharField(_("device"), max_length=100)
    first_seen = models.DateTimeField(_("first login"), default=timezone.now)
    last_seen = models.DateTimeField(_("last login"), default=timezone.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [
            models.UniqueConstraint(fields=["user", "token_hash"], name="known_device_unique"),
        ]

    def __str__(self) -> str:
        return self.device


class Passkey(models.Model):
    """A WebAuthn credential: log in without a password, or prove a second factor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(_("name"), max_length=100)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self) -> str:
        return self.name


class AccountEvent(models.Model):
    """What happened to an account, for its owner ("Kontoaktivität"): registered, address
    confirmed, second factor added… Goes with the account when it is deleted; the staff
    audit trail (core.AuditEntry) is for staff writes and never names citizens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=100)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self) -> str:
        return self.action


class ProfileAttribute(models.Model):
    """One item of the profile used to prefill forms, with where it came from.

    ``source`` is ``self`` (the person typed it) or the key of the identity provider that
    delivered it; ``verified`` says whether that source checked it (an eID did, the person
    did not). Forms read the profile only with the person's consent per application.
    """

    class Name(models.TextChoices):
        GIVEN_NAME = "given_name", _("Given name")
        FAMILY_NAME = "family_name", _("Family name")
        BIRTH_DATE = "birth_date", _("Date of birth")
        BIRTH_PLACE = "birth_place", _("Place of birth")
        STREET = "street", _("Street and house number")
        POSTAL_CODE = "postal_code", _("Postal code")
        CITY = "city", pgettext_lazy("postal address", "Town")
        COUNTRY = "country", _("Country")
        PHONE = "phone", _("Phone")

    SELF = "self"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(_("item"), max_length=32, choices=Name.choices)
    value = models.CharField(_("value"), max_length=300)
    source = models.CharField(_("source"), max_length=100, default=SELF)
    source_label = models.CharField(_("source (shown)"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified by the source"), default=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("profile item")
        verbose_name_plural = _("profile items")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="profile_attribute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()}: {self.value}"


class IdentityProvider(models.Model):
    """An external OpenID Connect provider people may log in with (e.g. BundID through its
    OIDC gateway, another state's account, or another amtshilfe). Configured by operators."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name shown"), max_length=100, help_text=_("e.g. BundID"))
    issuer = models.URLField(
        _("issuer"),
        help_text=_(
            "The provider's address; its discovery document is this address followed by "
            "/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = models.CharField(_("client secret"), max_length=500)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid profile email")
    #: Claim of the ID token or userinfo → profile item (ProfileAttribute.Name), e.g.
    #: {"given_name": "given_name", "family_name": "family_name", "birthdate": "birth_date"}.
    claim_mapping = models.JSONField(_("claims to profile items"), default=dict, blank=True)
    #: Value of ``acr`` → trust level, e.g. {"http://eidas.europa.eu/LoA/high": "hoch"}.
    acr_mapping = models.JSONField(_("acr values to trust levels"), default=dict, blank=True)
    default_level = models.CharField(
        _("trust level without a known acr"), max_length=16, default="niedrig"
    )
    attributes_verified = models.BooleanField(
        _("the provider checks the attributes (eID)"), default=False
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(models.Model):
    """The link between an account and its identity at an external provider (``sub``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject at the provider"), max_length=255)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"
