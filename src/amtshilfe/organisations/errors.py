from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtshilfe.core.errors import DomainError, NotFound


class OrganisationNotFound(NotFound):
    default_message = _("There is no organisation at this address.")


class InvalidDelegation(DomainError):
    default_message = _("This delegation agreement is not valid.")
