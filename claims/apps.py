from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "理赔"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from claims.deadlines import clear_deadline_cache
        from claims.models import ClaimDeadline
        from outbox import purposes

        # A supervisor's save in admin applies at once (claims.deadlines keeps a copy per process).
        post_save.connect(clear_deadline_cache, sender=ClaimDeadline, dispatch_uid="claim-deadline-save")
        post_delete.connect(clear_deadline_cache, sender=ClaimDeadline, dispatch_uid="claim-deadline-delete")

        purposes.register("claim_report", "理赔报案通知")
        purposes.register("claim_paid", "理赔支付通知")
