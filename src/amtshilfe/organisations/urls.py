from django.urls import path

from amtshilfe.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.portal, name="portal"),
    path("verwaltung/", views.dashboard, name="dashboard"),
    path("verwaltung/<slug:slug>/mitarbeitende/", views.staff, name="staff"),
    path("verwaltung/<slug:slug>/protokoll/", views.audit_trail, name="audit"),
]
