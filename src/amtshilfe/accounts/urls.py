from django.urls import path
from django.views.generic import TemplateView

from amtshilfe.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("anmelden/code/", views.SecondFactorView.as_view(), name="second_factor"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    path("registrieren/", views.RegisterView.as_view(), name="register"),
    path(
        "registrieren/gesendet/",
        TemplateView.as_view(template_name="accounts/register_done.html"),
        name="register_done",
    ),
    path(
        "adresse-bestaetigen/<uidb64>/<token>/",
        views.ConfirmEmailView.as_view(),
        name="confirm_email",
    ),
    path("passwort/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort/gesendet/",
        TemplateView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/fertig/",
        TemplateView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("profil/", views.ProfileView.as_view(), name="profile"),
    path("daten/", views.data_page, name="data"),
    path("daten/konto.json", views.export_json, name="export_json"),
    path("daten/konto.pdf", views.export_pdf, name="export_pdf"),
    path("sicherheit/", views.SecurityView.as_view(), name="security"),
    path("sicherheit/bestaetigen/", views.StepUpView.as_view(), name="step_up"),
    path("sicherheit/app/", views.TotpSetupView.as_view(), name="totp_setup"),
    path("sicherheit/wiederherstellungscodes/", views.recovery_codes, name="recovery_codes"),
    path(
        "sicherheit/zweiter-faktor/entfernen/",
        views.remove_second_factor,
        name="remove_second_factor",
    ),
    path(
        "sicherheit/passkey/optionen/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("sicherheit/passkey/", views.passkey_register, name="passkey_register"),
    path(
        "sicherheit/passkey/<int:passkey_id>/entfernen/",
        views.passkey_remove,
        name="passkey_remove",
    ),
    path("anmelden/passkey/optionen/", views.passkey_login_options, name="passkey_login_options"),
    path("anmelden/passkey/", views.passkey_login, name="passkey_login"),
    path("anmelden/extern/<slug:slug>/", views.provider_start, name="provider_start"),
    path(
        "anmelden/extern/<slug:slug>/rueckkehr/",
        views.provider_callback,
        name="provider_callback",
    ),
    path(
        "sicherheit/sitzungen/<int:session_id>/beenden/",
        views.end_session,
        name="end_session",
    ),
]
