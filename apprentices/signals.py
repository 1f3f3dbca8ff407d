"""Signals of the apprenticeship pages, for the apps above that add their part to them.

The contract page belongs here, but what it shows of the booklet belongs to the booklet: the page sends
``contract_page`` and shows, in order, the sections its receivers return (rendered HTML). This keeps the
arrows pointing down: ``livret`` knows about contracts, ``apprentices`` knows nothing of the booklet.
"""

from django.dispatch import Signal

# Sent with ``request``, ``contract`` and ``today``; a receiver returns its section's HTML, or None.
contract_page = Signal()
# Sent with ``request`` and ``apprentice``; the same, on the apprentice's page.
apprentice_page = Signal()
# Sent with ``request`` and ``diploma``; the same, on the diploma's page.
diploma_page = Signal()


def sections(signal, **kwargs) -> list[str]:
    """The sections the receivers of ``signal`` return, in the order they were connected."""
    return [html for _receiver, html in signal.send(sender=None, **kwargs) if html]
