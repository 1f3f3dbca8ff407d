"""What the booklet adds to the pages of the apps below it (``apprentices.signals``)."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from apprentices.signals import contract_page
from livret.selectors import contract_follow_up, contract_missions


@receiver(contract_page, dispatch_uid="livret.contract_page")
def booklet_of_contract(sender, *, request, contract, today, **kwargs) -> str:
    """The contract's booklet: its visits and grid at a glance, then its mission descriptions."""
    return render_to_string(
        "livret/_contract_section.html",
        {
            "contract": contract,
            "follow_up": contract_follow_up(contract, today),
            **contract_missions(contract, request.user, today),
        },
        request=request,
    )
