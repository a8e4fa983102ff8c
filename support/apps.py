from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "客户服务"

    def ready(self):
        from outbox import purposes
        from support.notifications import PURPOSE_REPLY, PURPOSE_SURVEY

        purposes.register(PURPOSE_REPLY, "工单回复")
        purposes.register(PURPOSE_SURVEY, "满意度调查")
