from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _delete_attachment_file(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance.delete_file_after_commit()


class PostboxConfig(AppConfig):
    name = "amtshilfe.postbox"
    label = "postbox"
    verbose_name = _("Postfach")

    def ready(self) -> None:
        from amtshilfe.accounts import data_rights
        from amtshilfe.postbox import (
            checks,  # noqa: F401  (registers the system checks)
            selectors,
        )
        from amtshilfe.postbox.models import Attachment

        # The export shows the whole mailbox; deleting the account deletes it (the foreign
        # keys cascade, and the files go with their rows: below), so no eraser is needed.
        data_rights.register("postfach", exporter=selectors.export_for, models=["postbox.message"])

        # However a message goes (retention, account deletion cascading, the admin), its
        # files go with it once the deletion is committed. A row deletion is the one event
        # every path shares; this is storage hygiene, not domain work.
        post_delete.connect(
            _delete_attachment_file, sender=Attachment, dispatch_uid="postbox_attachment_file"
        )
