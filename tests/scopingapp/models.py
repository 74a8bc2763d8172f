"""A stand-in for the *work* later apps hold (cases, applications), scoped like they will be."""

from django.db import models
from django_scopes import ScopedManager

from amtshilfe.core.access import WorkFields


class WorkItem(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE)
    service = models.CharField(max_length=14, blank=True)
    bundle = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=100)

    objects = ScopedManager(organisation="organisation")

    work_fields = WorkFields(service="service", bundle="bundle")

    class Meta:
        app_label = "scopingapp"

    def __str__(self) -> str:
        return self.title
