"""The client portal: a client's own account, and the pages where they read the notice, see and
revoke their releases of information (docs/portal.md)."""
