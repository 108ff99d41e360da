"""Settings of the benchmark server: the portal's own, with a trivial view beside it."""

from barleben_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
