"""Staff pages of the catalogue, mounted under ``/verwaltung/`` beside the organisations' pages."""

from django.urls import path

from amtshilfe.catalog import staff_views

app_name = "catalog_staff"
urlpatterns = [
    path("<slug:slug>/leistungen/", staff_views.offerings, name="offerings"),
    path("<slug:slug>/zustaendigkeiten/", staff_views.responsibilities, name="responsibilities"),
    path(
        "<slug:slug>/zustaendigkeiten/<int:rule_id>/loeschen/",
        staff_views.delete_responsibility,
        name="responsibility_delete",
    ),
    path("<slug:slug>/delegationen/", staff_views.delegations, name="delegations"),
    path(
        "<slug:slug>/delegationen/<int:agreement_id>/beenden/",
        staff_views.end_delegation,
        name="delegation_end",
    ),
]
