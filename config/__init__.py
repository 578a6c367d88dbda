"""Django project configuration: settings driven by environment variables, URLs, WSGI."""
