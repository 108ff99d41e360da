"""The Ortschaft a citizen chose is remembered in a cookie, so no account is needed.

The cookie only preselects; whatever a page shows for an Ortschaft is chosen in its URL.
"""

COOKIE_NAME = "ortschaft"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
