"""Web pages: server-rendered templates with htmx, security headers, error pages."""
