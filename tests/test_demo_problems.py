"""The demo data's blockers name amounts a project of that size could have."""

from decimal import Decimal

from demo.plans import funding_gap


def test_a_funding_gap_is_a_share_of_the_projects_own_investment():
    # 26.6亿 (266000万元): a gap of about 8.9亿, never 120亿.
    assert funding_gap(Decimal("266000")) == "8.9"
    assert Decimal(funding_gap(Decimal("5000"))) < Decimal("0.5")
