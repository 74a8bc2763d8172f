from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtshilfe.core.errors import DomainError, NotFound


class RegionNotFound(NotFound):
    default_message = _("There is no region with this key.")


class RegionFileInvalid(DomainError):
    """The region file has errors; nothing was imported. ``problems`` lists them by line."""

    default_message = _("The region file is not valid. Nothing was imported.")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(self.default_message)

    def __str__(self) -> str:
        return "\n".join([str(self.message), *self.problems])
