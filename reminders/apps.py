from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "续保提醒"

    def ready(self):
        from outbox import purposes
        from reminders.cadence import REMINDER_PURPOSE

        purposes.register(REMINDER_PURPOSE, "续保提醒")
