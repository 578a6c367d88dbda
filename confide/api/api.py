"""The NinjaAPI instance; routes live in confide/api/routes.py (owned by the API work)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Confide API", version="1")
