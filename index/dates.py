"""Publication dates as they appear in English and Hindi news copy."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

_MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            start=1,
        )
    },
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            [
                "जनवरी",
                "फरवरी",
                "मार्च",
                "अप्रैल",
                "मई",
                "जून",
                "जुलाई",
                "अगस्त",
                "सितंबर",
                "अक्टूबर",
                "नवंबर",
                "दिसंबर",
            ],
            start=1,
        )
    },
    "फ़रवरी": 2,
    "सितम्बर": 9,
    "अक्तूबर": 10,
    "नवम्बर": 11,
    "दिसम्बर": 12,
}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Za-z]+|[\u0900-\u097f]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


def _safe(year: int, month: int | None, day: int) -> date | None:
    try:
        return date(year, month, day) if month else None
    except ValueError:
        return None


def _month(name: str) -> int | None:
    name = name.lower()
    return _MONTHS.get(name) or _MONTHS.get(name[:3]) if name.isascii() else _MONTHS.get(name)


def parse_date(text: str) -> date | None:
    """The first date in `text`, or None. ISO, RFC 822, "7 Aug 2025", "06 अगस्त 2025"."""
    text = text.strip().translate(str.maketrans("०१२३४५६७८९", "0123456789"))
    if not text:
        return None
    if m := _ISO.search(text):
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    if m := _DAY_MONTH_YEAR.search(text):
        return _safe(int(m[3]), _month(m[2]), int(m[1]))
    if m := _MONTH_DAY_YEAR.search(text):
        return _safe(int(m[3]), _month(m[1]), int(m[2]))
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None
