"""Log in (with a second factor where the account has one), step up, register, reset."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from amtshilfe.accounts import (
    data_rights,
    devices,
    federation,
    passkeys,
    ratelimit,
    services,
)
from amtshilfe.accounts.forms import (
    CodeForm,
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetRequestForm,
    TotpConfirmForm,
)
from amtshilfe.core import trust
from amtshilfe.core.middleware import allow_form_to_redirect_to
from amtshilfe.core.trust import TrustLevel

#: A password checked, the second factor still to come: (user id, backend, since).
PENDING_KEY = "amtshilfe.accounts.pending_login"
PENDING_SECONDS = 300
TOTP_SETUP_KEY = "amtshilfe.accounts.totp_device"
NEW_CODES_KEY = "amtshilfe.accounts.new_recovery_codes"
#: Registrations and reset requests per client address and per hour, and per e-mail address.
PER_ADDRESS = 20
PER_EMAIL = 3


def _next(request: HttpRequest, default: str = "") -> str:
    """The safe ``next`` of the request (same host only), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _portal_origin(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A login on the way to a portal (``next`` is the authorization endpoint) ends in a
    redirect to the portal; browsers apply the CSP ``form-action`` to that redirect too."""
    target = _next(request)
    if target.startswith("/oidc/authorize"):
        redirect_uri = parse_qs(urlsplit(target).query).get("redirect_uri", [""])[0]
        allow_form_to_redirect_to(response, redirect_uri)
    return response


def _home_of(user: Any) -> str:
    if getattr(user, "is_staff_member", False):
        return reverse(settings.LOGIN_REDIRECT_URL)
    return reverse("accounts:account")


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}" if target else url


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = 60
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "providers": federation.providers()}

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return _portal_origin(self.request, super().render_to_response(context, **kwargs))

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        target = self.get_redirect_url()
        if services.has_second_factor(user):
            # Not logged in yet: the session only remembers whose password was right.
            self.request.session.cycle_key()
            backend = getattr(user, "backend", None)  # set by authenticate()
            self.request.session[PENDING_KEY] = [user.pk, backend, int(time.time())]
            return redirect(_with_next(reverse("accounts:second_factor"), target))
        auth_login(self.request, user)
        trust.record(self.request, TrustLevel.NIEDRIG, ["pwd"], fresh=True)
        devices.note_login(self.request, user)
        return devices.remember(self.request, HttpResponseRedirect(target or _home_of(user)))


class SecondFactorView(FormView):
    """Second step of a login for accounts with a second factor."""

    template_name = "accounts/second_factor.html"
    form_class = CodeForm

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return _portal_origin(self.request, super().render_to_response(context, **kwargs))

    def _pending(self) -> Any:
        pending = self.request.session.get(PENDING_KEY)
        if not pending or time.time() - pending[2] > PENDING_SECONDS:
            return None
        return services.user_by_id(pending[0])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self._pending() is None:
            request.session.pop(PENDING_KEY, None)
            messages.info(request, _("Please log in again."))
            return redirect(_with_next(reverse("accounts:login"), _next(request)))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "next": _next(self.request)}

    def form_valid(self, form: CodeForm) -> HttpResponse:
        user = self._pending()
        match = services.verify_second_factor(user, form.cleaned_data["code"])
        if match is None:
            form.add_error("code", _("This code is not correct. Please try again."))
            return self.form_invalid(form)
        _device, method = match
        backend = self.request.session.pop(PENDING_KEY)[1]
        auth_login(self.request, user, backend=backend)
        trust.record(self.request, TrustLevel.SUBSTANZIELL, ["pwd", method, "mfa"], fresh=True)
        devices.note_login(self.request, user)
        return devices.remember(
            self.request, HttpResponseRedirect(_next(self.request) or _home_of(user))
        )


@method_decorator(login_required, name="dispatch")
class StepUpView(FormView):
    """Raise the session's trust level for a service that needs more: never a dead end."""

    template_name = "accounts/step_up.html"
    form_class = CodeForm

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return _portal_origin(self.request, super().render_to_response(context, **kwargs))

    def required(self) -> TrustLevel:
        try:
            return TrustLevel(self.request.GET.get("level") or self.request.POST.get("level") or "")
        except ValueError:
            return TrustLevel.SUBSTANZIELL

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        level = trust.level_of(request)
        if level is not None and level.satisfies(self.required()):
            return HttpResponseRedirect(_next(request) or _home_of(request.user))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        required = self.required()
        return {
            **super().get_context_data(**kwargs),
            "required": required,
            "current": trust.level_of(self.request),
            "next": _next(self.request),
            "has_second_factor": services.has_second_factor(self.request.user),
            "has_passkey": services.has_passkey(self.request.user),
            "eid_providers": federation.providers(reaching=TrustLevel.HOCH),
            "setup_url": _with_next(
                reverse("accounts:totp_setup"),
                self.request.get_full_path() if required == TrustLevel.SUBSTANZIELL else "",
            ),
        }

    def form_valid(self, form: CodeForm) -> HttpResponse:
        if self.required() != TrustLevel.SUBSTANZIELL:
            return self.form_invalid(form)
        match = services.verify_second_factor(self.request.user, form.cleaned_data["code"])
        if match is None:
            form.add_error("code", _("This code is not correct. Please try again."))
            return self.form_invalid(form)
        trust.record(self.request, TrustLevel.SUBSTANZIELL, [match[1], "mfa"], fresh=False)
        return HttpResponseRedirect(_next(self.request) or _home_of(self.request.user))


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("accounts:account")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: RegistrationForm) -> HttpResponse:
        address = ratelimit.client_address(self.request)
        if ratelimit.exceeded("register-address", address, limit=PER_ADDRESS, window=3600):
            return _too_many(self.request)
        email = form.cleaned_data["email"]
        # Beyond the limit per e-mail address nothing more is sent, and the answer is the same.
        if not ratelimit.exceeded("register-email", email, limit=PER_EMAIL, window=3600):
            services.register(
                email=email,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        return redirect("accounts:register_done")


class ConfirmEmailView(View):
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""

    def get(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        return render(request, "accounts/confirm_email.html", {"state": "ask"})

    def post(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        user = services.confirm_email(uidb64, token)
        state = "done" if user is not None else "invalid"
        return render(
            request,
            "accounts/confirm_email.html",
            {"state": state},
            status=200 if user is not None else 400,
        )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        address = ratelimit.client_address(self.request)
        if ratelimit.exceeded("reset-address", address, limit=PER_ADDRESS, window=3600):
            return _too_many(self.request)
        if not ratelimit.exceeded(
            "reset-email", form.cleaned_data["email"], limit=PER_EMAIL, window=3600
        ):
            services.request_password_reset(form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


@method_decorator(login_required, name="dispatch")
class AccountView(TemplateView):
    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "level": trust.level_of(self.request),
            "has_second_factor": services.has_second_factor(self.request.user),
        }


@method_decorator(login_required, name="dispatch")
class SecurityView(TemplateView):
    template_name = "accounts/security.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "level": trust.level_of(self.request),
            "has_second_factor": services.has_second_factor(self.request.user),
            "recovery_left": services.recovery_codes_left(self.request.user),
            "sessions": devices.sessions_of(self.request),
            "passkeys": services.passkeys_of(self.request.user),
            "may_add_factor": _may_add_factor(self.request),
        }


@method_decorator(login_required, name="dispatch")
class TotpSetupView(FormView):
    """Set up an authenticator app: QR code and key, confirmed by a first code."""

    template_name = "accounts/totp_setup.html"
    form_class = TotpConfirmForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _may_add_factor(request):
            return HttpResponseRedirect(trust.step_up_url(request, TrustLevel.SUBSTANZIELL))
        return super().dispatch(request, *args, **kwargs)

    def _device(self) -> Any:
        device_id = self.request.session.get(TOTP_SETUP_KEY)
        device = services.unconfirmed_totp(self.request.user, device_id)
        if device is None:
            device = services.start_totp(self.request.user)
            self.request.session[TOTP_SETUP_KEY] = device.pk
        return device

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        device = self._device()
        qr = segno.make(device.config_url, error="m")
        key = services.totp_key(device)
        return {
            **super().get_context_data(**kwargs),
            "qr": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
            "next": _next(self.request),
            "replaces": services.has_second_factor(self.request.user),
        }

    def form_valid(self, form: TotpConfirmForm) -> HttpResponse:
        device = self._device()
        codes = services.confirm_totp(self.request.user, device.pk, form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("This code is not correct. Please enter the current code."))
            return self.form_invalid(form)
        self.request.session.pop(TOTP_SETUP_KEY, None)
        self.request.session[NEW_CODES_KEY] = codes
        # The person just proved they hold the app: the session counts as two factors.
        trust.record(self.request, TrustLevel.SUBSTANZIELL, ["otp", "mfa"], fresh=False)
        return redirect(_with_next(reverse("accounts:recovery_codes"), _next(self.request)))


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows new recovery codes once; POST makes new ones (needs ``substanziell``)."""
    if request.method == "POST":
        level = trust.level_of(request)
        if level is None or not level.satisfies(TrustLevel.SUBSTANZIELL):
            return HttpResponseRedirect(trust.step_up_url(request, TrustLevel.SUBSTANZIELL))
        if not services.has_second_factor(request.user):
            return redirect("accounts:security")
        request.session[NEW_CODES_KEY] = services.new_recovery_codes(request.user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:security")
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)}
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@trust.requires_level(TrustLevel.SUBSTANZIELL)
def remove_second_factor(request: HttpRequest) -> HttpResponse:
    services.remove_second_factors(request.user)
    messages.success(request, _("The second factor has been removed."))
    return redirect("accounts:security")


@require_POST
@login_required
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    devices.end_session(request, session_id)
    messages.success(request, _("The session has been ended."))
    return redirect("accounts:security")


class LogoutView(auth_views.LogoutView):
    pass


# --- passkeys (JSON endpoints for static/accounts/passkeys.js) -------------------------------


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _problem(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _may_add_factor(request: HttpRequest) -> bool:
    """A first factor may be added at any level; another one only at ``substanziell``
    (someone who has only the password must not add their own second factor)."""
    if not (services.has_second_factor(request.user) or services.has_passkey(request.user)):
        return True
    level = trust.level_of(request)
    return level is not None and level.satisfies(TrustLevel.SUBSTANZIELL)


@require_POST
@login_required
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if not _may_add_factor(request):
        return _problem(_("Please confirm your login first."), 403)
    return HttpResponse(passkeys.registration_options(request), content_type="application/json")


@require_POST
@login_required
def passkey_register(request: HttpRequest) -> HttpResponse:
    if not _may_add_factor(request):
        return _problem(_("Please confirm your login first."), 403)
    data = _json_body(request)
    try:
        passkeys.register(request, json.dumps(data.get("credential")), str(data.get("name", "")))
    except passkeys.PasskeyError:
        return _problem(_("The passkey could not be added. Please try again."), 400)
    trust.record(request, TrustLevel.SUBSTANZIELL, ["hwk", "user", "mfa"], fresh=False)
    messages.success(request, _("The passkey has been added."))
    return JsonResponse({"redirect": _next(request) or reverse("accounts:security")}, status=201)


@require_POST
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@require_POST
def passkey_login(request: HttpRequest) -> HttpResponse:
    """Log in with a passkey, or (logged in already) confirm with it: ``substanziell``."""
    data = _json_body(request)
    target = str(data.get("next") or "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    try:
        user = passkeys.authenticate(request, json.dumps(data.get("credential")))
    except passkeys.PasskeyError:
        return _problem(_("The passkey was not accepted. Please try again."), 400)
    methods = ["hwk", "user", "mfa"]
    if request.user.is_authenticated:
        if request.user.pk != user.pk:
            return _problem(_("The passkey was not accepted. Please try again."), 400)
        trust.record(request, TrustLevel.SUBSTANZIELL, methods, fresh=False)
        return JsonResponse({"redirect": target or _home_of(user)})
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    trust.record(request, TrustLevel.SUBSTANZIELL, methods, fresh=True)
    devices.note_login(request, user)
    return devices.remember(request, JsonResponse({"redirect": target or _home_of(user)}))


@require_POST
@trust.requires_level(TrustLevel.SUBSTANZIELL)
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    if passkeys.remove(request.user, passkey_id):
        messages.success(request, _("The passkey has been removed."))
    return redirect("accounts:security")


# --- profile and data rights -----------------------------------------------------------------


@method_decorator(login_required, name="dispatch")
class ProfileView(FormView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def get_initial(self) -> dict[str, Any]:
        return {name: item.value for name, item in services.profile_of(self.request.user).items()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "items": services.profile_of(self.request.user),
        }

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        changed = services.set_profile(self.request.user, form.values())
        if changed:
            messages.success(self.request, _("Your profile has been saved."))
        return redirect("accounts:profile")


@login_required
def data_page(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    reasons = data_rights.blockers(request.user)
    if request.method == "POST" and not reasons and form.is_valid():
        data_rights.delete_account(request.user)
        logout(request)
        return render(request, "accounts/deleted.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/data.html", {"form": form, "reasons": reasons}, status=status)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_json(request: HttpRequest) -> HttpResponse:
    data = data_rights.export(request.user)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    return _download(content, "application/json", "amtshilfe-konto.json")


@login_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    return _download(data_rights.export_pdf(request.user), "application/pdf", "amtshilfe-konto.pdf")


# --- external identity providers -------------------------------------------------------------


def _provider(slug: str) -> Any:
    provider = federation.provider(slug)
    if provider is None:
        raise Http404
    return provider


def _callback_url(request: HttpRequest, provider: Any) -> str:
    path = reverse("accounts:provider_callback", kwargs={"slug": provider.slug})
    return settings.SITE_URL.rstrip("/") + path


def provider_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Off to the provider (GET is fine: nothing changes here before the provider answers)."""
    provider = _provider(slug)
    required = request.GET.get("level", "")
    acr = next((a for a, level in provider.acr_mapping.items() if level == required), "")
    try:
        url = federation.start(
            request.session,
            provider,
            _callback_url(request, provider),
            next_url=_next(request),
            acr=acr,
        )
    except federation.FederationError:
        return _provider_failed(request, provider)
    return HttpResponseRedirect(url)


def provider_callback(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    current = request.user if request.user.is_authenticated else None
    try:
        outcome, target = federation.finish(
            request.session,
            provider,
            _callback_url(request, provider),
            {key: str(value) for key, value in request.GET.items()},
            current,
        )
    except federation.EmailTaken:
        return render(
            request,
            "accounts/provider_failed.html",
            {"provider": provider, "email_taken": True},
            status=409,
        )
    except federation.FederationError:
        return _provider_failed(request, provider)
    if current is None:
        auth_login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
        trust.record(request, outcome.level, ["fed"], fresh=True)
        devices.note_login(request, outcome.user)
    else:
        trust.record(request, outcome.level, ["fed"], fresh=False)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return devices.remember(request, HttpResponseRedirect(target or _home_of(outcome.user)))


def _provider_failed(request: HttpRequest, provider: Any) -> HttpResponse:
    return render(request, "accounts/provider_failed.html", {"provider": provider}, status=502)
