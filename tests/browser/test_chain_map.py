"""A leader opens the map of 新能源和新能源电池, reads its sub-chains, colored project markers and
named gaps, and follows a link to its projects."""

from decimal import Decimal

import pytest

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from projects.stages import COLORS, Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

SUB_CHAINS = ["电池电芯及电机电控", "正极材料", "负极材料", "电解液及其他辅料"]


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def battery_chain():
    """The 新能源和新能源电池 chain as the sources describe it, with projects on its links."""
    chain = factories.ChainFactory(name="新能源和新能源电池", short_name="新能源电池")
    subs = {
        name: factories.ChainLinkFactory(chain=chain, name=name, order=n)
        for n, name in enumerate(SUB_CHAINS)
    }

    def link(sub, name, **fields):
        return factories.ChainLinkFactory(chain=chain, parent=subs[sub], name=name, **fields)

    lfp = link("电池电芯及电机电控", "磷酸铁锂电池")
    lfp.enterprises.add(factories.EnterpriseFactory(name="金车储能（示例）"))
    precursor = link("正极材料", "三元前驱体")
    precursor.enterprises.add(factories.EnterpriseFactory(name="金川集团股份有限公司"))
    anode = link("负极材料", "硅碳负极")
    carbonate = link(
        "电解液及其他辅料", "碳酸酯", gap_description="碳酸酯", wanted_enterprises=2, order=1
    )
    link("电解液及其他辅料", "隔膜", gap_description="隔膜", wanted_enterprises=1, order=2)
    link("电解液及其他辅料", "铝塑膜", gap_description="铝塑膜", order=3)

    unit = factories.UnitFactory(name="金昌经济技术开发区管理委员会", short_name="经开区管委会")
    projects = {
        Stage.OPERATING: ("2GWh磷酸铁锂电池项目", lfp),
        Stage.GREEN: ("7万吨三元前驱体项目", precursor),
        Stage.BLUE: ("28万吨硫酸镍产品提升项目", precursor),
        Stage.RED: ("1万吨硅碳负极材料项目", anode),
        Stage.ORANGE: ("年产5万吨碳酸酯项目", carbonate),
    }
    for stage, (name, on_link) in projects.items():
        factories.ProjectFactory(
            chain=chain,
            chain_link=on_link,
            stage=stage,
            name=name,
            unit=unit,
            total_investment=Decimal("60000"),
        )
    return chain, carbonate


def log_in_to(page, path, username):
    page.goto(f"/accounts/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def test_a_leader_reads_the_battery_map_and_follows_a_link_to_its_projects(page, battery_chain):
    chain, carbonate = battery_chain
    factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()

    log_in_to(page, "/chains/", "leader_wang")
    card = page.locator(f"#chain-{chain.pk}")
    assert "新能源和新能源电池" in card.inner_text()
    card.get_by_role("link", name="查看图谱").click()
    page.wait_for_url(f"**/chains/{chain.pk}/map/")

    # Its four sub-chains, in order.
    titles = page.locator(".chain-map > .link-box.sub-chain > h3 a").all_inner_texts()
    assert titles == SUB_CHAINS

    # Every project is a marker in its card color, linking to the project.
    for stage in (Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING):
        dot = page.locator(f".chain-map .marker .dot.stage-{stage}")
        assert dot.count() == 1, stage
        color = dot.evaluate("el => getComputedStyle(el).backgroundColor")
        assert color == rgb(COLORS[stage]), stage
    green = page.locator(".chain-map .marker", has_text="7万吨三元前驱体项目")
    assert green.get_attribute("href").startswith("/projects/")

    # The named gaps are highlighted: a red dashed border and what is still wanted.
    gap_boxes = page.locator(".chain-map .link-box.gap:not(.sub-chain)")
    assert sorted(gap_boxes.locator("h3 a").all_inner_texts()) == sorted(
        ["碳酸酯", "隔膜", "铝塑膜"]
    )
    carbonate_box = page.locator(f"#link-{carbonate.pk}")
    assert "缺：碳酸酯（还需2家）" in carbonate_box.inner_text()
    border = carbonate_box.evaluate(
        "el => [getComputedStyle(el).borderTopStyle, getComputedStyle(el).borderTopColor]"
    )
    assert border == ["dashed", rgb(COLORS[Stage.RED])]
    assert "缺：铝塑膜" in page.locator(".chain-map").inner_text()

    # Follow the link to its projects.
    carbonate_box.locator("h3 a").click()
    page.wait_for_url(f"**/chains/links/{carbonate.pk}/")
    row = page.locator(".link-projects tbody tr", has_text="年产5万吨碳酸酯项目")
    assert row.count() == 1
    badge = row.locator(".badge.stage-orange")
    assert badge.inner_text() == "橙色"
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == rgb(COLORS[Stage.ORANGE])


def test_the_map_reads_on_a_phone_and_in_print(phone_page, battery_chain):
    chain, carbonate = battery_chain
    factories.LeaderFactory(username="leader_phone", password=DEMO_PASSWORD)
    page = phone_page

    log_in_to(page, f"/chains/{chain.pk}/map/", "leader_phone")

    # One column on a phone: the sub-chains stack and nothing runs off the screen.
    boxes = page.locator(".chain-map > .link-box.sub-chain")
    lefts = {round(b["x"]) for b in (box.bounding_box() for box in boxes.all())}
    assert len(lefts) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Printed: no navigation, every box shown, the gap still dashed and red.
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    box = page.locator(f"#link-{carbonate.pk}")
    assert box.is_visible()
    assert box.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"


def test_the_legend_picks_out_one_color(page, battery_chain):
    chain, _carbonate = battery_chain
    factories.LeaderFactory(username="leader_legend", password=DEMO_PASSWORD)

    log_in_to(page, f"/chains/{chain.pk}/map/", "leader_legend")
    page.locator(".legend-item[data-stage=green]").click()

    dimmed = page.locator(".marker.dim").count()
    assert dimmed == 4
    assert not page.locator(".marker[data-stage=green]").evaluate(
        "el => el.classList.contains('dim')"
    )
