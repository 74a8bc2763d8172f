from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "amtshilfe.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from amtshilfe.core import access
        from amtshilfe.organisations import selectors

        access.register_delegation_source(selectors.delegated_grants)
        access.register_membership_source(selectors.roles_of_user)
