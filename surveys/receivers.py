"""What the surveys add to the pages of the apps below them (``apprentices.signals``)."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from apprentices.signals import diploma_page
from surveys import perms, selectors


@receiver(diploma_page, dispatch_uid="surveys.diploma_page")
def insertion_of_diploma(sender, *, request, diploma, **kwargs) -> str:
    """Insertion at 6 and 12 months of the diploma's leavers, beside the national InserJeunes rates."""
    return render_to_string(
        "surveys/_diploma_section.html",
        {
            "diploma": diploma,
            "insertion": selectors.insertion_table(diploma),
            "min_population": selectors.MIN_PUBLISHED_POPULATION,
            "manages": perms.can_manage(request.user, diploma.organisation_id),
        },
        request=request,
    )
