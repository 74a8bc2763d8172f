from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenIDConfig(AppConfig):
    name = "amtshilfe.openid"
    label = "openid"
    verbose_name = _("Login for linked portals (OpenID Connect)")

    def ready(self) -> None:
        from amtshilfe.accounts import data_rights
        from amtshilfe.openid import (
            checks,  # noqa: F401  (registers the deploy check)
            selectors,
        )

        # Deleting the account deletes its consents and every code and token (the foreign
        # keys cascade), so no eraser is needed.
        data_rights.register(
            "portals",
            exporter=selectors.export_for,
            models=[
                "openid.portalconsent",
                "oauth2_provider.grant",
                "oauth2_provider.accesstoken",
                "oauth2_provider.refreshtoken",
                "oauth2_provider.idtoken",
                "oauth2_provider.devicegrant",
                "oauth2_provider.application",
            ],
        )
