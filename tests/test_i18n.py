"""English is available: pages follow the language switch's cookie (never the browser's
Accept-Language), Chinese stays the default, and the English catalog (locale/en) is complete,
placeholder-safe and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# %(name)s, %d, %%, {name}, and HTML tags: all must survive translation unchanged.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[sdrfix%]|\{[^{}]*\}|<[^>]+>")
KEYWORD_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d)\])? (".*")$')
# Chinese that is literal input the Excel importer accepts: 5000万, 1.2亿, 2025年6月26日, 红/红色…
IMPORT_LITERALS = re.compile(
    r"\d+万|\d+(\.\d+)?亿|\d{4}年\d{1,2}月(\d{1,2}日)?|[红橙蓝绿]色?|已投产|终止"
)


# --- the pages -------------------------------------------------------------------------------


def section(html: str, start: str, end: str) -> str:
    """The markup from the first `start` to the next `end` (both included)."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) + len(end)]


def without_footer(html: str) -> str:
    # The language switch in the footer names each language in itself ("中文") on purpose.
    return re.sub(r"<footer.*?</footer>", "", html, flags=re.S)


@pytest.mark.django_db
def test_the_login_page_is_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html
    assert "Password" in html
    assert "Log in" in html
    assert "Jinchang Investment Project Management System" in html
    assert not CJK.search(section(html, '<header class="topbar">', "</header>"))
    assert not CJK.search(without_footer(html)), CJK.findall(without_footer(html))


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html
    assert "Username" not in html


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html


@pytest.mark.django_db
def test_chinese_is_the_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html
    assert "登录" in html
    assert "Username" not in html


@pytest.mark.django_db
def test_a_chinese_browser_gets_chinese(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "用户名" in html


def test_the_navigation_of_a_logged_in_officer_is_english(personas, login):
    client = login(personas.officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("projects:list")).content.decode()
    nav = section(html, '<nav class="nav"', "</nav>")
    assert "My work" in nav
    assert "Project ledger" in nav
    assert "Leader dashboard" in nav
    assert not CJK.search(nav), CJK.findall(nav)
    assert "Log out" in html


def test_switching_language_with_set_language(personas, login):
    client = login(personas.officer_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("projects:list")).content.decode()
    assert "Project ledger" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("projects:list")).content.decode()
    assert "项目台账" in html


# --- the catalog -----------------------------------------------------------------------------


def unquote(text: str) -> str:
    return ast.literal_eval(text)  # a .po string literal is a valid Python str literal


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: flags, msgctxt, msgid, msgid_plural, msgstr ({None: s} or {0: s, …}).

    gettext tools always separate entries with a blank line."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None}
        entry["msgstr"], current = {}, None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry["flags"].add("obsolete")
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := KEYWORD_LINE.match(line):
                keyword, index, value = match.groups()
                current = (keyword, int(index) if index is not None else None)
                if keyword == "msgstr":
                    entry["msgstr"][current[1]] = unquote(value)
                else:
                    entry[keyword] = unquote(value)
            else:
                assert line.startswith('"') and current, f"unexpected line: {line!r}"
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += unquote(line)
                else:
                    entry[current[0]] += unquote(line)
        if entry["msgid"] is not None or "obsolete" in entry["flags"]:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalog():
    entries = parse_po(PO_FILE)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    return header, messages


def test_the_catalog_is_a_real_english_catalog(catalog):
    header, messages = catalog
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][None]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][None]
    assert len(messages) > 900  # the whole UI, not a handful of strings


def test_no_translation_is_empty_fuzzy_or_obsolete(catalog):
    _, messages = catalog
    empty = [m["msgid"] for m in messages if any(not s.strip() for s in m["msgstr"].values())]
    fuzzy = [m["msgid"] for m in messages if "fuzzy" in m["flags"]]
    obsolete = [m["msgid"] for m in messages if "obsolete" in m["flags"]]
    assert empty == []
    assert fuzzy == []
    assert obsolete == []


def test_plural_entries_have_both_english_forms(catalog):
    _, messages = catalog
    plurals = [m for m in messages if m["msgid_plural"] is not None]
    assert plurals
    for message in plurals:
        assert sorted(message["msgstr"]) == [0, 1], message["msgid"]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_placeholder_survives_translation(catalog):
    _, messages = catalog
    broken = []
    for message in messages:
        for index, translated in message["msgstr"].items():
            source = message["msgid_plural"] if index else message["msgid"]
            if placeholders(source) != placeholders(translated):
                broken.append((source, translated))
    assert broken == []


def test_the_translations_are_english(catalog):
    """Chinese stays only where it is literal input the importer accepts (5000万, 2025年6月…)."""
    _, messages = catalog
    leftovers = [
        translated
        for message in messages
        for translated in message["msgstr"].values()
        if CJK.search(IMPORT_LITERALS.sub("", translated))
    ]
    assert leftovers == []


def test_the_compiled_catalog_matches_the_po_file(catalog):
    """django.mo is committed so production needs no gettext: it must not be stale."""
    _, messages = catalog
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for message in messages:
        msgid, plural, ctx = message["msgid"], message["msgid_plural"], message["msgctxt"]
        if plural is not None:
            got = {
                0: compiled.npgettext(ctx, msgid, plural, 1)
                if ctx
                else compiled.ngettext(msgid, plural, 1),
                1: compiled.npgettext(ctx, msgid, plural, 2)
                if ctx
                else compiled.ngettext(msgid, plural, 2),
            }
        else:
            got = {None: compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)}
        if got != message["msgstr"]:
            stale.append(msgid)
    assert stale == [], "run: manage.py compilemessages -l en"


def test_amounts_and_months_follow_the_language():
    import datetime
    from decimal import Decimal

    from django.utils import translation

    from jinchang.formats import money, month

    with translation.override("zh-hans"):
        chinese = money(Decimal("35000")), money(Decimal("800")), month(datetime.date(2025, 6, 1))
    assert chinese == ("3.50亿元", "800.00万元", "2025年6月")
    with translation.override("en"):
        assert money(Decimal("35000")) == "3.50 × 100m yuan"
        assert money(Decimal("800")) == "800.00 × 10k yuan"
        assert month("2025-06") == "6/2025"


@pytest.mark.django_db
def test_the_dashboard_charts_get_their_words_in_the_pages_language(personas, login):
    client = login(personas.leader)
    chinese = client.get(reverse("dashboard:index")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("dashboard:index")).content.decode()

    assert 'data-projects="项目数"' in chinese and 'data-year="{y}年"' in chinese
    assert 'data-projects="Projects"' in english
    assert 'data-cumulative="{name} cumulative"' in english
    assert 'data-yi="{n} × 100m yuan"' in english
