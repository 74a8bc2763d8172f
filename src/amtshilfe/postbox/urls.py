"""The account holder's Postfach, under ``/konto/postfach/``."""

from django.urls import path

from amtshilfe.postbox import views

app_name = "postbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:message_id>/", views.message, name="message"),
    path("<int:message_id>/antworten/", views.reply, name="reply"),
    path("anhang/<int:attachment_id>/", views.attachment, name="attachment"),
]
