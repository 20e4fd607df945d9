import pytest

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_demo_officer_logs_in_and_sees_the_home_page(page, log_in):
    factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()

    log_in(page, "officer_zsj", DEMO_PASSWORD)

    assert "/accounts/login/" not in page.url
    assert page.locator(".userbox").inner_text().startswith("张晓燕")
    assert page.locator("nav.nav").get_by_text("项目台账").is_visible()


def test_a_wrong_password_shows_a_chinese_message(page, log_in):
    factories.OfficerFactory(username="someone")

    log_in(page, "someone", "not-the-password")

    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.content()
