"""Factories for the base apps."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from amtshilfe.organisations.models import DelegationAgreement, Membership, Organisation

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    kind = "staff"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Gemeinde Musterhausen {n}")
    slug = factory.Sequence(lambda n: f"musterhausen-{n}")
    kind = "gemeinde"


def member(organisation: Organisation, role: str, user=None):
    """A user with ``role`` in ``organisation``."""
    user = user or UserFactory()
    with scopes_disabled():
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def delegation(delegating, processing, scope="all", value="", *, start=None, end=None):
    return DelegationAgreement.objects.create(
        delegating=delegating,
        processing=processing,
        scope=scope,
        scope_value=value,
        valid_from=start or datetime.date(2020, 1, 1),
        valid_until=end,
    )
