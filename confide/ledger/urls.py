"""Report pages, mounted at /ledger/. Client and entry ids are UUIDs; filters are GET codes."""

from django.urls import path

from confide.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("clients/<uuid:client_id>/access/", views.access_report, name="access_report"),
    path("clients/<uuid:client_id>/access.csv", views.access_report_csv, name="access_report_csv"),
    path("clients/<uuid:client_id>/access.pdf", views.access_report_pdf, name="access_report_pdf"),
    path("clients/<uuid:client_id>/accounting/", views.accounting_page, name="accounting"),
    path(
        "clients/<uuid:client_id>/accounting.csv",
        views.accounting_csv_view,
        name="accounting_csv",
    ),
    path(
        "accounting/<uuid:entry_id>/annotate/",
        views.accounting_annotate,
        name="accounting_annotate",
    ),
]
