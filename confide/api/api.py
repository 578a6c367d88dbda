"""The NinjaAPI instance: token auth on every endpoint, our error mapping, the record routes.

Docs: ninja's bundled Swagger UI page (`ninja/swagger.html`) loads its script and stylesheet
from our own static files and keeps its settings in a `type="application/json"` block read by
`swagger-ui-init.js`, so it runs under `script-src 'self'; style-src 'self'` with no CDN.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from confide.api import errors
from confide.api.auth import TokenAuth
from confide.api.consent_routes import router as consent_router
from confide.api.disclosures_routes import router as disclosures_router
from confide.api.ledger_routes import router as ledger_router
from confide.api.releases_routes import router as releases_router
from confide.api.routes import router

DOCS_SETTINGS = {
    "persistAuthorization": False,  # never keep a token in the browser's storage
    "validatorUrl": None,  # no calls to an outside validator
}

api = NinjaAPI(
    title="Confide API",
    version="1",
    description=(
        "The case record over JSON. Authenticate with a personal access token: "
        "`Authorization: Bearer <token>`. Errors are `{error, message, fields?}`."
    ),
    auth=TokenAuth(),
    docs=Swagger(settings=DOCS_SETTINGS),
    urls_namespace="api",
)
errors.install(api)
# The ledger router goes first: the record router ends with a catch-all 404.
api.add_router("/ledger", ledger_router)
api.add_router("/releases", releases_router)
api.add_router("/consent", consent_router)
api.add_router("/disclosures", disclosures_router)
api.add_router("/", router)
