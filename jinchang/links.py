"""Links to many rows at once."""

from collections.abc import Callable

from django.urls import reverse

# A primary key no row has, to find where a reversed URL holds its key.
MARKER = 2_147_483_647


def reverse_each(viewname: str) -> Callable[[int], str]:
    """`reverse(viewname, args=[pk])` for many keys: the URL is reversed once and each key put
    in its place. Django's `reverse` costs about 25 µs, and a board of 120 cards asked for 360."""
    before, after = reverse(viewname, args=[MARKER]).split(str(MARKER))
    return lambda pk: f"{before}{int(pk)}{after}"
