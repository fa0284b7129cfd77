"""The English catalog (ADR 0003): Chinese source strings, English through locale/en.

The completeness tests read the catalog as it is committed: after someone adds strings and
refreshes it with makemessages (see the comment at the top of django.po), they fail until
every new msgid is translated and django.mo is compiled again. That is intended.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
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

CATALOG_DIR = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


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
    cjk = re.compile(r"[\u4e00-\u9fff]")
    chinese = [e["msgid"] for e in _messages() if any(cjk.search(s) for s in e["msgstr"])]
    assert not chinese


def test_compiled_catalog_matches_po():
    """django.mo is what Django loads: it must be compiled from the current django.po."""
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _messages():
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        else:
            got = [compiled.gettext(entry["msgid"])]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert not stale, f"recompile {MO_FILE.name} (msgfmt -o django.mo django.po): {stale}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")
def test_msgfmt_accepts_catalog(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


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
