from django.urls import path

from amtshilfe.regions import views

app_name = "regions"
urlpatterns = [
    path("<str:ars>/", views.region_detail, name="detail"),
]
