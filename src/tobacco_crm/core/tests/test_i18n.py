"""The English catalog (ADR 0003): Chinese source strings, English through locale/en.

The completeness tests read the catalog as it is committed: after someone adds strings and
refreshes it with makemessages (see the comment at the top of django.po), they fail until
every new msgid is translated and django.mo is compiled again. That is intended.
"""

from __future__ import annotations

import ast
import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.products.choices import PriceClass
from tobacco_crm.retailers.choices import BusinessDistrict, BusinessFormat, RetailerStatus
from tobacco_crm.retailers.models import Retailer

PACKAGE_DIR = Path(__file__).resolve().parents[2]
CATALOG_DIR = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- a tiny .po reader (polib is not a dependency) -------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": [], "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
            if match:
                key, value = match.group(1), _unquote(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            else:  # continuation line of the previous keyword
                value = _unquote(line)
                if key and key.startswith("msgstr"):
                    entry["msgstr"][-1] += value
                else:
                    entry[key] += value
        if "msgid" in entry or entry["obsolete"]:
            entries.append(entry)
    return entries


def _messages() -> list[dict]:
    return [e for e in read_po(PO_FILE) if not e["obsolete"] and e.get("msgid")]


# --- the catalog ---------------------------------------------------------------------------


def test_catalog_is_where_settings_look():
    assert CATALOG_DIR.parents[1] in [Path(p) for p in settings.LOCALE_PATHS]
    assert PO_FILE.is_file()
    assert MO_FILE.is_file()


def test_catalog_header_is_final():
    header = next(e for e in read_po(PO_FILE) if e.get("msgid") == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_every_msgid_is_translated():
    messages = _messages()
    assert len(messages) > 100
    untranslated = [e["msgid"] for e in messages if not all(s.strip() for s in e["msgstr"])]
    assert not untranslated, f"untranslated in {PO_FILE}: {untranslated}"


def test_no_fuzzy_or_obsolete_entries():
    entries = read_po(PO_FILE)
    fuzzy = [e.get("msgid") for e in entries if "fuzzy" in e["flags"]]
    obsolete = [e for e in entries if e["obsolete"]]
    assert not fuzzy, f"fuzzy (check the translation, then drop the flag): {fuzzy}"
    assert not obsolete


def test_translations_keep_placeholders_and_plural_forms():
    for entry in _messages():
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for msgstr in entry["msgstr"]:
            assert sorted(PLACEHOLDER.findall(msgstr)) == wanted, entry["msgid"]
        if "msgid_plural" in entry:
            assert len(entry["msgstr"]) == 2, entry["msgid"]


def test_translations_are_english():
    chinese = [e["msgid"] for e in _messages() if any(CJK.search(s) for s in e["msgstr"])]
    assert not chinese


def test_compiled_catalog_matches_po():
    """django.mo is what Django loads: it must be compiled from the current django.po."""
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _messages():
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        elif "msgctxt" in entry:
            got = [compiled.pgettext(entry["msgctxt"], entry["msgid"])]
        else:
            got = [compiled.gettext(entry["msgid"])]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert not stale, f"recompile {MO_FILE.name} (msgfmt -o django.mo django.po): {stale}"


def test_msgfmt_accepts_catalog(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# --- the catalog against the sources -----------------------------------------------------
#
# What makemessages would extract, approximated: the literals of {% trans %} / {% translate %}
# and the bodies of {% blocktrans %} / {% blocktranslate %} in templates, and the literal
# arguments of the gettext functions in Python, outside tests and engines (the --ignore
# options in the refresh command at the top of django.po).

TRANS_TAG = re.compile(
    r"""\{%\s*(?:trans|translate)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?[^%]*%\}"""
)
BLOCKTRANS_TAG = re.compile(
    r"\{%\s*block(?:trans|translate)\b(.*?)%\}(.*?)\{%\s*endblock(?:trans|translate)\s*%\}",
    re.DOTALL,
)
BLOCK_CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")
BLOCK_PLURAL = re.compile(r"\{%\s*plural\s*%\}")
BLOCK_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# function name -> (index of the context argument or None, index of the msgid argument)
GETTEXT_FUNCTIONS = {
    **dict.fromkeys(
        ["_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"], (None, 0)
    ),
    **dict.fromkeys(["pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"], (0, 1)),
}
# Marked for translation but invisible to makemessages; fix the source, then drop the entry.
NOT_EXTRACTED: dict[str, str] = {}


def _sources(pattern: str) -> list[Path]:
    return [
        path
        for path in PACKAGE_DIR.rglob(pattern)
        if "tests" not in path.relative_to(PACKAGE_DIR).parts
        and path.relative_to(PACKAGE_DIR).parts[0] != "engines"
    ]


def _template_messages(path: Path) -> set[tuple[str | None, str]]:
    text = path.read_text(encoding="utf-8")
    found = {
        (match.group(4), match.group(2).replace("%", "%%")) for match in TRANS_TAG.finditer(text)
    }
    for match in BLOCKTRANS_TAG.finditer(text):
        args, body = match.groups()
        context = BLOCK_CONTEXT.search(args)
        for form in BLOCK_PLURAL.split(body):
            if "trimmed" in args.split():
                form = " ".join(line.strip() for line in form.strip().splitlines())
            msgid = BLOCK_VARIABLE.sub(r"%(\1)s", form.replace("%", "%%"))
            found.add((context.group(2) if context else None, msgid))
    return found


def _python_messages(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        context_at, msgid_at = GETTEXT_FUNCTIONS[name]
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if len(args) > msgid_at and isinstance(args[msgid_at], str):
            found.add((None if context_at is None else args[context_at], args[msgid_at]))
    return found


def test_catalog_is_up_to_date_with_the_sources():
    """Fails when strings were added, changed or removed since the catalog was refreshed:
    run the makemessages command at the top of django.po and translate the new msgids."""
    in_sources = set()
    for path in _sources("*.html"):
        in_sources |= _template_messages(path)
    for path in _sources("*.py"):
        in_sources |= _python_messages(path)
    in_catalog = set()
    for entry in _messages():
        in_catalog.add((entry.get("msgctxt"), entry["msgid"]))
        if "msgid_plural" in entry:
            in_catalog.add((entry.get("msgctxt"), entry["msgid_plural"]))

    missing = in_sources - in_catalog - {(None, msgid) for msgid in NOT_EXTRACTED}
    assert not missing, f"not in {PO_FILE.name}, run makemessages: {sorted(missing, key=str)}"
    unused = in_catalog - in_sources
    assert not unused, f"no longer in the sources, run makemessages: {sorted(unused, key=str)}"
    extracted_now = [msgid for msgid in NOT_EXTRACTED if (None, msgid) in in_catalog]
    assert not extracted_now, f"now extracted, remove from NOT_EXTRACTED: {extracted_now}"


# --- models and choices ----------------------------------------------------------------------


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def test_labels_in_english():
    with translation.override("en"):
        assert _field_label(Retailer, "license_no") == "License number"
        assert _field_label(Retailer, "business_format") == "Business format"
        assert _field_label(Retailer, "business_district") == "Business district"
        assert _field_label(Retailer, "territory") == "Territory"
        assert _field_label(Retailer, "e_settlement") == "E-settlement"
        assert str(Retailer._meta.verbose_name) == "Retailer"
        assert BusinessFormat.GROCERY.label == "Grocery"
        assert BusinessDistrict.TRANSPORT.label == "Transport hub"
        assert RetailerStatus.SUSPENDED.label == "Suspended"
        assert RetailerStatus.CLOSED.label == "Closed"
        assert RetailerStatus.CANCELLED.label == "Cancelled"
        assert Role.INSPECTOR.label == "Market inspector"
        assert Role.ORDER_TAKER.label == "Order taker"
        assert PriceClass.ONE.label == "Class 1"


def test_labels_in_chinese():
    with translation.override("zh-hans"):
        assert _field_label(Retailer, "license_no") == "许可证号"
        assert _field_label(Retailer, "business_format") == "业态"
        assert str(Retailer._meta.verbose_name) == "零售户"
        assert BusinessFormat.GROCERY.label == "食杂店"
        assert RetailerStatus.SUSPENDED.label == "停业"
        assert Role.INSPECTOR.label == "市管员"
        assert PriceClass.ONE.label == "一类"


def test_default_language_is_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert BusinessFormat.GROCERY.label == "食杂店"


# --- the screens -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_retailer_list_is_chinese_by_default(client, manager_a, territory_a):
    RetailerFactory(territory=territory_a, status=RetailerStatus.SUSPENDED)
    client.force_login(manager_a)

    html = client.get(reverse("retailer-list")).content.decode()

    assert "<h1>零售户档案</h1>" in html
    assert "停业" in html


@pytest.mark.django_db
def test_switching_to_english_translates_the_retailer_list(client, manager_a, territory_a):
    RetailerFactory(territory=territory_a, status=RetailerStatus.SUSPENDED)
    client.force_login(manager_a)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/retailers/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/retailers/").content.decode()

    assert '<html lang="en">' in html
    assert "<h1>Retailer records</h1>" in html
    assert "零售户档案" not in html
    assert "License number" in html  # table header
    assert "Suspended" in html  # choice label in a row
    assert "停业" not in html
    assert re.search(r"\b1 retailer\b", html)  # singular of the plural form

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/retailers/"})
    html = client.get("/retailers/").content.decode()
    assert "<h1>零售户档案</h1>" in html


@pytest.mark.django_db
def test_grading_management_in_english(client, marketing_manager):
    client.force_login(marketing_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # LocaleMiddleware activates English in this thread; override() restores the language after.
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get("/grading/manage/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Retailer classification and grading</h1>" in html
    assert "客户分类分级" not in html
    assert ">Grading run</a>" in html  # management navigation
    assert "Start a dry run" in html
    headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.DOTALL)
    assert headings
    assert not [h for h in headings if CJK.search(h)]
