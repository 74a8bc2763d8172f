"""Domain errors of the OpenID provider."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtshilfe.core import errors


class ConsentNotFound(errors.NotFound):
    """No consent of this account with that number (another account's answers alike)."""

    default_message = _("This consent does not exist or has already been withdrawn.")
