"""THE access policy: every read and write of client data asks this package.

Foundation rule (the full Cedar policy replaces `policy.py` without touching callers):
practitioners and supervisors see the clients of cases assigned to their teams; nobody sees
another agency's records; psychotherapy notes are visible to their author only; other roles
see no client content yet. "Not found" and "not allowed" raise the same NotFound.
"""
