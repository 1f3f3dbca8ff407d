"""What the apprentice's record takes from the apps below it (``core.signals``)."""

from django.dispatch import receiver

from apprentices.models import Apprentice
from core.signals import contact_details_changed


@receiver(contact_details_changed, dispatch_uid="apprentices.contact_details_changed")
def follow_the_account_phone(sender, *, user, changes, **kwargs) -> None:
    """The apprentice's phone is theirs to correct; their name is the contract's, which the CFA declares
    (the profile form does not offer it), so only the phone is carried over."""
    if "phone" not in changes:
        return
    for apprentice in Apprentice.objects.filter(user=user):
        apprentice.phone = user.phone
        apprentice.save(update_fields=["phone", "updated_at"])
