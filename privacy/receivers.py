"""What the privacy app adds to the pages of the apps below it (``apprentices.signals``)."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from apprentices.signals import apprentice_page
from privacy import perms


@receiver(apprentice_page, dispatch_uid="privacy.apprentice_page")
def personal_data_of_apprentice(sender, *, request, apprentice, **kwargs) -> str | None:
    """The downloads of the apprentice's personal data, for those who may make them."""
    if not perms.can_export_personal_data(request.user, apprentice):
        return None
    return render_to_string(
        "privacy/_apprentice_section.html",
        {"apprentice": apprentice, "own": perms.is_the_apprentice(request.user, apprentice)},
        request=request,
    )
