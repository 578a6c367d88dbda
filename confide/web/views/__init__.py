"""Page views, by area. Thin: they read forms, call services and selectors, render templates."""

from confide.web.views.common import csrf_failure, not_found

__all__ = ["csrf_failure", "not_found"]
