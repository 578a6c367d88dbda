"""Page URLs. Every object id in a URL is an opaque UUID; nothing confidential is in a URL."""

from django.urls import path

from confide.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/enrol/", views.enrol, name="enrol"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("reauth/", views.reauth, name="reauth"),
    path("clients/search/", views.client_search, name="client_search"),
    path("clients/<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("cases/<uuid:case_id>/notes/new/", views.note_new, name="note_new"),
    path("notes/<uuid:note_id>/", views.note_detail, name="note_detail"),
    path("notes/<uuid:note_id>/save/", views.note_save, name="note_save"),
    path("notes/<uuid:note_id>/sign/", views.note_sign, name="note_sign"),
    path("notes/<uuid:note_id>/addendum/", views.note_addendum, name="note_addendum"),
    path("notes/<uuid:note_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment_download"
    ),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
