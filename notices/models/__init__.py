"""The notice board (`board`) and what citizens subscribe to on it (`subscriptions`)."""

from .board import (
    BOARD_PAGE_SIZE,
    CALENDAR_PAGE_SIZE,
    ICAL_HORIZON_DAYS,
    ICAL_MAX_EVENTS,
    CalendarPage,
    Category,
    NoticeDisplayRecord,
    NoticeIndexPage,
    NoticeKind,
    NoticePage,
    NoticeQuerySet,
    NoticeRelatedService,
)
from .subscriptions import Subscription

__all__ = [
    "BOARD_PAGE_SIZE",
    "CALENDAR_PAGE_SIZE",
    "ICAL_HORIZON_DAYS",
    "ICAL_MAX_EVENTS",
    "CalendarPage",
    "Category",
    "NoticeDisplayRecord",
    "NoticeIndexPage",
    "NoticeKind",
    "NoticePage",
    "NoticeQuerySet",
    "NoticeRelatedService",
    "Subscription",
]
