"""Domain errors of the catalogue: files that cannot be imported, and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amtshilfe.core.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an imported file: where (line, element path or column) and what."""

    message: str
    line: int | None = None
    #: The element path in an XML file (``/xzufi.transfer.operation/schreibe[3]/leistung``)
    #: or the column of a CSV file.
    path: str = ""

    def __str__(self) -> str:
        if self.line is not None and self.path:
            return gettext("Line %(line)d, %(path)s: %(error)s") % {
                "line": self.line,
                "path": self.path,
                "error": self.message,
            }
        if self.line is not None:
            return gettext("Line %(line)d: %(error)s") % {"line": self.line, "error": self.message}
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class FileInvalid(DomainError):
    """A file has errors; nothing was imported. ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.default_message)

    def __str__(self) -> str:
        return "\n".join([str(self.message), *(str(p) for p in self.problems)])


class XzufiInvalid(FileInvalid):
    default_message = _("The XZuFi message is not valid. Nothing was imported.")


class CatalogFileInvalid(FileInvalid):
    default_message = _("The catalogue file is not valid. Nothing was imported.")
