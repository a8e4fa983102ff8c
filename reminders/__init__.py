"""Renewal reminders: the cadence (`cadence`), the message text (`messages`), the bulk
planner (`planning`), the call list and opt-out rules (`services`), and the conversion
figures (`conversion`). Messages go out through the shared outbox (`outbox.services`)."""
