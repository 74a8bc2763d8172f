"""The reply form: it parses input only; the reply service holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from amtshilfe.postbox.services import REPLY_MAX, NewAttachment, reply_max_bytes


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=REPLY_MAX,
        error_messages={"required": _("Please write your reply.")},
        widget=forms.Textarea(attrs={"class": "kern-form-input__input", "rows": 8}),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        widget=forms.FileInput(
            attrs={
                "class": "kern-form-input__input",
                "accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("A PDF, PNG or JPEG file of at most %(size)s.") % {
            "size": filesizeformat(reply_max_bytes())
        }

    def add_error(self, field: str | None, error: Any) -> None:
        """Marks the inputs of fields with errors the KERN way (``…__input--error``)."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if css and "--error" not in css:
                    widget.attrs["class"] = f"{css} {css.split()[0]}--error"

    def attachments(self) -> list[NewAttachment]:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return []
        return [NewAttachment(filename=upload.name or "", content=upload)]
