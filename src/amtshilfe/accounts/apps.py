from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "amtshilfe.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from amtshilfe.accounts import devices  # noqa: F401 (connects the logout signal)
