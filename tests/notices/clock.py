"""The time the calendar tests live at: long after the demo's events, which are dated around
the day the tests run."""

from datetime import datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 3, 10, 10, 0, tzinfo=BERLIN)
