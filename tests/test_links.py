"""`reverse_each` gives what Django's `reverse` gives, for any key."""

from django.urls import reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from jinchang.links import reverse_each

NAMES = ["projects:detail", "projects:transition"]


@given(
    name=st.sampled_from(NAMES), pk=st.integers(1, 2**63 - 1), prefix=st.sampled_from(["/", "/jc/"])
)
def test_each_link_equals_reverse(name, pk, prefix):
    set_script_prefix(prefix)
    try:
        assert reverse_each(name)(pk) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")
