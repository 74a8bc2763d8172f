from django.urls import include, path
from django.views.i18n import set_language

from amtshilfe.config.api import api
from amtshilfe.core.admin_site import operator_admin

urlpatterns = [
    path("", include("amtshilfe.core.urls")),
    path("verwaltung/", include("amtshilfe.catalog.staff_urls")),
    path("", include("amtshilfe.organisations.urls")),
    path("regionen/", include("amtshilfe.regions.urls")),
    path("leistungen/", include("amtshilfe.catalog.urls")),
    path("konto/postfach/", include("amtshilfe.postbox.urls")),
    path("konto/", include("amtshilfe.accounts.urls")),
    path("", include("amtshilfe.openid.urls")),  # oidc/ (the provider), konto/portale/
    path("sprache/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", operator_admin.urls),
]
