"""The calendar domain: CalDAV access, iCalendar semantics, availability and sync (no Flask here)."""
