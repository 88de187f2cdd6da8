"""The pure core: interview detection, the follow-up rules, business days, drafts, planning and
reconciliation. Functions over frozen dataclasses; no network, no files (the holiday cache aside)."""
