from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "理赔"

    def ready(self):
        from outbox import purposes

        purposes.register("claim_report", "理赔报案通知")
        purposes.register("claim_paid", "理赔支付通知")
