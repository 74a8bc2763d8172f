from django.urls import path

from amtshilfe.accounts import views

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.StaffLoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
]
