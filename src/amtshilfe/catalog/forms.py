"""Forms of the staff pages: offerings, responsibility rules, delegation agreements.

The forms only parse input; the services check access and the rules of the domain. Choices
come from selectors, so a form offers exactly what the organisation may use: its own
authorities, areas within its own region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amtshilfe.catalog.models import Offering, OzgBundle, Service
from amtshilfe.catalog.selectors import AreaChoice
from amtshilfe.core.access import DelegationScope
from amtshilfe.organisations.models import Authority, Organisation

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}

#: The OZG maturity model (Reifegradmodell), level by level.
MATURITY_CHOICES = [
    (0, _("0 – no information online")),
    (1, _("1 – information online")),
    (2, _("2 – form to download")),
    (3, _("3 – online application")),
    (4, _("4 – fully digital, including the decision")),
]


class KernForm(forms.Form):
    """Marks the inputs of fields with errors the KERN way (``…__input--error``)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue  # errors of the whole form
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if css and "--error" not in css:
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs=INPUT, format="%Y-%m-%d")


def _select(
    queryset: QuerySet[Any], *, to_field: str | None = None, required: bool = True, **kwargs: Any
) -> forms.ModelChoiceField[Any]:
    kwargs.setdefault("empty_label", _("Please choose"))
    return forms.ModelChoiceField(
        queryset=queryset,
        to_field_name=to_field,
        required=required,
        widget=forms.Select(attrs=SELECT),
        error_messages={"invalid_choice": _("Choose one of the entries in the list.")},
        **kwargs,
    )


def offering_initial(offering: Offering | None) -> dict[str, Any]:
    """The form's starting values for changing an existing offering."""
    if offering is None:
        return {}
    return {
        "service": offering.service.slug,
        "channel": offering.channel,
        "status": offering.status,
        "maturity": offering.maturity,
        "fees": offering.fees,
        "online_url": offering.online_url,
        "receiving_authority": offering.receiving_authority_id,
    }


class OfferingForm(KernForm):
    """What the organisation offers of one service; saving it again changes it."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=Offering.Channel.choices, widget=forms.Select(attrs=SELECT)
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Offering.Status.choices, widget=forms.Select(attrs=SELECT)
    )
    maturity = forms.TypedChoiceField(
        label=_("OZG maturity level"),
        choices=MATURITY_CHOICES,
        coerce=int,
        widget=forms.Select(attrs=SELECT),
        error_messages={"invalid_choice": _("Choose a maturity level from 0 to 4.")},
    )
    fees = forms.CharField(
        label=_("Fees"), max_length=300, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    online_url = forms.URLField(
        label=_("Link to the online application"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs=INPUT),
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        authorities: QuerySet[Authority],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = _select(services, to_field="slug", label=_("Service"))
        self.fields["receiving_authority"] = _select(
            authorities,
            required=False,
            label=_("Authority receiving applications"),
            help_text=_("Only your organisation's own authorities."),
            empty_label=_("(none)"),
        )
        self.order_fields(
            [
                "service",
                "channel",
                "status",
                "maturity",
                "fees",
                "online_url",
                "receiving_authority",
            ]
        )

    def offering_data(self) -> dict[str, Any]:
        """The cleaned fields as ``save_offering`` takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k != "service"}


class ResponsibilityForm(KernForm):
    """Which of the organisation's authorities is responsible for a service in an area."""

    area = forms.ChoiceField(
        label=pgettext_lazy("responsibility rule", "Area"),
        widget=forms.Select(attrs=SELECT),
        help_text=_("Your organisation may set rules only within its own region."),
        error_messages={"invalid_choice": _("Choose an area within your organisation's region.")},
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        areas: Sequence[AreaChoice],
        authorities: QuerySet[Authority],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = _select(services, to_field="slug", label=_("Service"))
        area = cast(forms.ChoiceField, self.fields["area"])
        area.choices = [(choice.prefix, choice.label) for choice in areas]
        if areas and not self.is_bound:
            self.initial.setdefault("area", areas[0].prefix)
        self.fields["authority"] = _select(authorities, label=_("Authority"))
        self.order_fields(["service", "area", "authority"])


class DelegationForm(KernForm):
    """A delegation agreement the organisation gives to another one."""

    scope = forms.ChoiceField(
        label=_("Scope"),
        widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
        choices=[
            (DelegationScope.ALL.value, _("all services")),
            (DelegationScope.BUNDLE.value, _("one Leistungsbündel")),
            (DelegationScope.SERVICE.value, _("one service")),
        ],
        initial=DelegationScope.ALL.value,
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day of the agreement; leave empty for an open end."),
    )

    def __init__(
        self,
        *args: Any,
        partners: QuerySet[Organisation],
        bundles: QuerySet[OzgBundle],
        services: QuerySet[Service],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["processing"] = _select(
            partners, to_field="slug", label=_("Processing organisation")
        )
        self.fields["bundle"] = _select(
            bundles,
            to_field="ozg_id",
            required=False,
            label=_("Leistungsbündel"),
            help_text=_("Only if the scope is one Leistungsbündel."),
            empty_label=_("(none)"),
        )
        self.fields["service"] = _select(
            services,
            to_field="leika_key",
            required=False,
            label=_("Service"),
            help_text=_("Only if the scope is one service."),
            empty_label=_("(none)"),
        )
        if not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localdate())
        self.order_fields(["processing", "scope", "bundle", "service", "valid_from", "valid_until"])

    def scope_value(self) -> str:
        """The Leistungsbündel or LeiKa key the chosen scope needs ("" for all services)."""
        scope = self.cleaned_data["scope"]
        if scope == DelegationScope.BUNDLE and self.cleaned_data.get("bundle"):
            return str(self.cleaned_data["bundle"].ozg_id)
        if scope == DelegationScope.SERVICE and self.cleaned_data.get("service"):
            return str(self.cleaned_data["service"].leika_key)
        return ""


class EndDelegationForm(KernForm):
    valid_until = forms.DateField(
        label=_("Last day of the agreement"),
        widget=DateInput(),
        help_text=_("From the next day on, your organisation processes this work itself again."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("valid_until", timezone.localdate())
