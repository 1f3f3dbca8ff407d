"""What the company tutor's record takes from the apps below it (``core.signals``)."""

from django.dispatch import receiver

from core.signals import contact_details_changed
from tutors.models import CompanyTutor


@receiver(contact_details_changed, dispatch_uid="tutors.contact_details_changed")
def follow_the_account(sender, *, user, changes, **kwargs) -> None:
    """A company tutor's name and phone, as the CFA's register and the booklet show them, are the ones
    they correct on « Mon compte »."""
    fields = [name for name in ("first_name", "last_name", "phone") if name in changes]
    if not fields:
        return
    for tutor in CompanyTutor.objects.filter(user=user):
        for name in fields:
            setattr(tutor, name, getattr(user, name))
        tutor.save(update_fields=[*fields, "updated_at"])
