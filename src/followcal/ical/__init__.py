"""The iCalendar codec: the only code that reads or writes .ics text (and imports icalendar)."""
