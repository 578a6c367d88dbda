"""The JSON API (django-ninja): token auth, schemas, error mapping; calls services/selectors."""
