"""Schemas of the public catalogue API (django-ninja / pydantic)."""

from __future__ import annotations

from ninja import Schema


class ServiceHitOut(Schema):
    slug: str
    name: str
    short_text: str
    online_here: bool
    url: str


class ServiceOut(Schema):
    slug: str
    leika_key: str
    name_de: str
    name_en: str
    short_text: str
    full_text: str
    costs: str
    deadlines: str
    processing_time: str
    required_documents: str
    prerequisites: str
    hints: str
    legal_basis: str
    typisierung: str
    ozg_id: str
    trust_level: str
    url: str


class AuthorityOut(Schema):
    name: str
    organisation: str
    organisation_slug: str
    email: str
    phone: str
    street: str
    postcode: str
    city: str


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    ars: str | None
    email: str
    phone: str
    website: str
    street: str
    postcode: str
    city: str
    url: str


class ResponsibilityOut(Schema):
    service: str
    place_ars: str
    place_name: str
    responsible: AuthorityOut
    processing: AuthorityOut
    delegated: bool
    rule_area: str
    rule_level: str
    online: bool
    online_url: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
