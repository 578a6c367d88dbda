"""The OpenAPI schema and the docs page: they load, describe the endpoints and the bearer scheme,
and the page runs from our own static files under the site's CSP (no CDN, no inline script)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.contrib.staticfiles import finders
from django.test import Client as HttpClient

from confide.api.api import api

PATHS = {
    "/api/caseload": {"get"},
    "/api/clients/{client_id}": {"get"},
    "/api/cases/{case_id}/notes": {"post"},
    "/api/notes/{note_id}": {"get", "patch"},
    "/api/notes/{note_id}/sign": {"post"},
    "/api/ledger/checkpoints/latest": {"get"},
    "/api/ledger/checkpoints/{tree_size}": {"get"},
    "/api/ledger/proofs/inclusion": {"get"},
    "/api/ledger/proofs/consistency": {"get"},
    "/api/releases/clients/{client_id}": {"get", "post"},
    "/api/releases/{release_id}": {"get"},
    "/api/releases/{release_id}/sign": {"post"},
    "/api/releases/{release_id}/revoke": {"post"},
    "/api/releases/{release_id}/expiry-event": {"post"},
    "/api/releases/{release_id}/fhir": {"get"},
    "/api/releases/{release_id}/pdf": {"get"},
    "/api/consent/clients/{client_id}": {"get"},
    "/api/consent/clients/{client_id}/notice": {"get"},
    "/api/consent/clients/{client_id}/preferences": {"put"},
    "/api/consent/clients/{client_id}/acknowledgements": {"post"},
    "/api/consent/clients/{client_id}/contacts": {"post"},
    "/api/consent/contacts/{contact_id}/decision": {"post"},
    "/api/consent/contacts/{contact_id}/end": {"post"},
    "/api/consent/clients/{client_id}/representatives": {"post"},
    "/api/consent/representatives/{representative_id}/end": {"post"},
    "/api/consent/clients/{client_id}/disclosure-limits": {"post"},
    "/api/consent/disclosure-limits/{restriction_id}/decide": {"post"},
    "/api/consent/disclosure-limits/{restriction_id}/end": {"post"},
    "/api/consent/notices/current": {"get"},
    "/api/consent/notices": {"post"},
    "/api/consent/minor-consent": {"get"},
    "/api/disclosures/clients/{client_id}/requests": {"post"},
    "/api/disclosures/requests/{request_id}": {"get"},
    "/api/disclosures/requests/{request_id}/review": {"post"},
    "/api/disclosures/requests/{request_id}/packet": {"post"},
    "/api/disclosures/requests/{request_id}/release": {"post"},
    "/api/disclosures/packets/{packet_id}": {"get"},
    "/api/disclosures/packets/{packet_id}/redactions": {"post"},
    "/api/disclosures/queue": {"get"},
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_openapi_schema_loads_and_lists_every_endpoint(db: None) -> None:
    response = HttpClient().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Confide API"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS
    schemes = schema["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]


def test_every_operation_requires_the_token_and_documents_its_errors(db: None) -> None:
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for op in ops.values():
            codes = {str(code) for code in op["responses"]}
            assert op["security"] == [{"TokenAuth": []}]
            assert "401" in codes
            assert "{" not in path or "404" in codes


def test_the_docs_page_uses_only_our_static_files(db: None) -> None:
    response = HttpClient().get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "cdn" not in html.lower()
    parser = _Tags()
    parser.feed(html)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts, "the page loads Swagger UI"
    for attrs in scripts:
        # Executable scripts come from /static/; the settings block is inert JSON data.
        src = attrs.get("src")
        assert (src or "").startswith("/static/") or attrs.get("type") == "application/json"
    for tag, attrs in parser.tags:
        assert tag != "style"
        assert "style" not in attrs
        for url in (attrs.get("src"), attrs.get("href")):
            assert url is None or url.startswith("/static/")
    for tag, attrs in parser.tags:
        if tag == "script" and attrs.get("src"):
            name = str(attrs["src"]).removeprefix("/static/")
            assert finders.find(name), f"{name} is served from our static files"


def test_api_answers_are_never_cached(db: None) -> None:
    for path in ("/api/caseload", "/api/openapi.json", "/api/notes/nope"):
        assert "no-store" in HttpClient().get(path)["Cache-Control"]
