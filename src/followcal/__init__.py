"""followcal: holiday-aware thank-you, follow-up and cut-off reminders for job interviews."""

__version__ = "0.1.0"
