"""System checks of the Postfach: the operator's retention table must make sense."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from amtshilfe.postbox import retention


@register()
def retention_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(
            f"Postfach-Aufbewahrung ungültig / invalid Postfach retention: {problem}",
            hint="Message types: " + ", ".join(sorted(retention.SENDABLE_KINDS)) + ".",
            id="postbox.E001",
        )
        for problem in retention.problems()
    ]
