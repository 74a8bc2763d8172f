from django.urls import path

from amtshilfe.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
    path("<slug:slug>/", views.service_detail, name="service"),
]
