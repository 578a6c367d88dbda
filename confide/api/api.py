from ninja import NinjaAPI

api = NinjaAPI(title="Confide API", version="1")
