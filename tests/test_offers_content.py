"""Offers and towns as content: validation sentences, nearest-first order, expiry, and the
town a person types (typos, no umlauts, Cyrillic and Arabic letters)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_CONTENT_DIR
from knowledge.item_check import item_problems
from knowledge.loader import ContentError, ContentSnapshot, load_content, snapshot_from_items
from knowledge.towns import TownIndex, distance_km
from tests.support.content import problems_with

OFFER = """\
id: probe-offer
company: Probe GmbH
town: Pirna
fields: [metall, elektro]
kind: schulpraktikum
team_languages: [de, ar]
contact:
  person: Frau Probe
  phone: 03501 123456
  email: praktikum@example.org
valid_from: 2027-01-01
valid_until: 2027-06-30
welcome:
  agreed_on: 2026-11-30
sources:
  - url: https://www.example.org/praktikum
    title: Angebot der Probe GmbH
checked_on: 2026-12-01
translations:
  de:
    description: Zwei Wochen in der Werkstatt.
  ar:
    source_revision: 1
    machine_translated: true
    description: أسبوعان في الورشة.
"""


def offer_yaml(offer_id: str, town: str, fields: str, until: str = "2027-06-30") -> str:
    return (
        OFFER.replace("id: probe-offer", f"id: {offer_id}")
        .replace("town: Pirna", f"town: {town}")
        .replace("fields: [metall, elektro]", f"fields: [{fields}]")
        .replace("valid_from: 2027-01-01", "valid_from: 2026-09-01")
        .replace("valid_until: 2027-06-30", f"valid_until: {until}")
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def problems_for(folder: Path, text: str) -> list[str]:
    return problems_with(folder, "offers/probe-offer.yaml", text)


def test_shipped_content_has_the_district_towns_and_no_invented_offer(shipped: ContentSnapshot) -> None:
    assert shipped.towns is not None
    assert len(shipped.towns.towns) == 36
    assert {t.kind for t in shipped.towns.towns} == {"stadt", "gemeinde"}
    assert shipped.offers == {}
    assert len(shipped.field_names) == 13
    assert shipped.field_names["metall"]["de"] == "Metall, Maschinenbau"


def test_a_valid_offer_loads_and_survives_the_database_round_trip(folder: Path) -> None:
    (folder / "offers" / "probe-offer.yaml").write_text(OFFER, encoding="utf-8")
    snapshot = load_content(folder)
    offer = snapshot.offers["probe-offer"]
    assert offer.welcome is not None
    assert offer.welcome.agreed_on == dt.date(2026, 11, 30)
    again = snapshot_from_items(snapshot.items())
    assert again.offers == snapshot.offers
    assert again.towns == snapshot.towns
    assert again.field_names == snapshot.field_names


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (
            ("town: Pirna", "town: Pirma"),
            3,
            "the town 'Pirma' is not one of the district's towns in towns.yaml (did you mean 'Pirna'?)",
        ),
        (
            ("town: Pirna", "town: Berlin"),
            3,
            "the town 'Berlin' is not one of the district's towns in towns.yaml; write",
        ),
        (
            ("fields: [metall, elektro]", "fields: [metall, elektrik]"),
            4,
            "'elektrik' is not an occupational field id; use one of bau, dienstleistung",
        ),
        (
            ("kind: schulpraktikum", "kind: minijob"),
            5,
            "'minijob' is not allowed here; expected 'schulpraktikum', 'freiwilliges_praktikum', "
            "'einstiegsqualifizierung' or 'ausbildung'",
        ),
        (
            ("valid_until: 2027-06-30", "valid_until: 2026-12-31"),
            12,
            "valid_until (2026-12-31) lies before valid_from (2027-01-01)",
        ),
        (
            ("team_languages: [de, ar]", "team_languages: [de, arabisch]"),
            6,
            "'arabisch' is not a language code; write the two-letter ISO 639-1 code",
        ),
        (("team_languages: [de, ar]", "team_languages: []"), 6, "'team_languages' needs at least one item"),
        (
            ("  phone: 03501 123456\n  email: praktikum@example.org\n", ""),
            7,
            "the contact has no phone, e-mail or web address; young people need at least one way to apply",
        ),
        (
            ("contact:\n  person: Frau Probe\n  phone: 03501 123456\n  email: praktikum@example.org\n", ""),
            1,
            "the required field 'contact' is missing",
        ),
        (
            ("  email: praktikum@example.org", "  email: praktikum(at)example.org"),
            10,
            "'praktikum(at)example.org' is not a valid e-mail address",
        ),
        (
            ("valid_from: 2027-01-01", "valid_from: 2027-13-01"),
            11,
            "'2027-13-01' is not a valid date; write it as YYYY-MM-DD",
        ),
        (
            ("  agreed_on: 2026-11-30\n", "  editor_note: per E-Mail\n"),
            13,
            "the required field 'agreed_on' is missing",
        ),
        (
            ("  de:\n    description: Zwei Wochen in der Werkstatt.\n", ""),
            19,
            "the German (de) version under 'translations' is missing",
        ),
        (
            ("description: Zwei Wochen in der Werkstatt.", "description: Zwei **Wochen** hier."),
            21,
            "Markdown bold",
        ),
    ],
)
def test_each_broken_offer_gets_its_sentence(
    folder: Path, change: tuple[str, str], line: int, words: str
) -> None:
    old, new = change
    assert old in OFFER
    problems = problems_for(folder, OFFER.replace(old, new))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"content/offers/probe-offer.yaml:{line}: "), problems
    assert words in problems[0]


def test_offers_without_towns_file_are_named(folder: Path) -> None:
    (folder / "towns.yaml").unlink()
    assert problems_for(folder, OFFER) == [
        "towns.yaml: the file is missing, and the offers name their towns from it"
    ]


def test_a_town_without_source_must_be_marked_for_checking(folder: Path) -> None:
    path = folder / "towns.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("  - id: hohnstein\n")
    source = lines.index("    source:\n", start)
    # Hohnstein without its source (the line and its url and title) and without 'verify: true'.
    path.write_text("".join(lines[:source] + lines[source + 3 :]), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert [str(p) for p in caught.value.problems] == [
        f"content/towns.yaml:{start + 1}: the town 'Hohnstein' has no source for its coordinates; "
        "add 'source' or set 'verify: true'"
    ]


def test_the_admin_form_check_uses_the_same_sentences() -> None:
    import yaml

    body = yaml.safe_load(OFFER.replace("valid_until: 2027-06-30", "valid_until: 2026-12-31"))
    body = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in body.items()}
    assert item_problems("offer", body) == ["valid_until (2026-12-31) lies before valid_from (2027-01-01)"]


def test_offers_nearest_first_and_expired_hidden(folder: Path) -> None:
    for offer_id, town, fields, until in (
        ("sebnitz-metall", "Sebnitz", "metall", "2027-06-30"),
        ("heidenau-metall", "Heidenau", "metall", "2027-06-30"),
        ("pirna-metall-alt", "Pirna", "metall", "2026-11-30"),
        ("freital-metall", "Freital", "metall, bau", "2027-06-30"),
        ("pirna-pflege", "Pirna", "gesundheit", "2027-06-30"),
    ):
        path = folder / "offers" / f"{offer_id}.yaml"
        path.write_text(offer_yaml(offer_id, town, fields, until), encoding="utf-8")
    snapshot = load_content(folder)
    towns = TownIndex(snapshot.towns.towns if snapshot.towns else ())
    pirna = towns.get("pirna")
    assert pirna is not None
    from knowledge.offers import offers_near

    found = offers_near(snapshot.offers.values(), ["metall"], pirna, towns, dt.date(2026, 12, 6))
    assert [n.offer.id for n in found] == ["heidenau-metall", "freital-metall", "sebnitz-metall"]
    assert [round(n.km) for n in found] == [4, 20, 25]
    on_last_day = offers_near(snapshot.offers.values(), ["metall"], pirna, towns, dt.date(2026, 11, 30))
    assert on_last_day[0].offer.id == "pirna-metall-alt"


def test_great_circle_distance(shipped: ContentSnapshot) -> None:
    towns = TownIndex(shipped.towns.towns if shipped.towns else ())
    pirna, freital = towns.get("pirna"), towns.get("freital")
    assert pirna is not None
    assert freital is not None
    # 50.9669 N 13.9331 E to 51.0 N 13.65 E: about 20 km as the crow flies.
    assert distance_km(pirna, freital) == pytest.approx(20.1, abs=0.2)
    assert distance_km(pirna, pirna) == 0
    ordered = towns.nearest_first(pirna, [freital, pirna])
    assert [t.id for t, _km in ordered] == ["pirna", "freital"]


@pytest.mark.parametrize(
    ("typed", "town"),
    [
        ("Pirna", "pirna"),
        ("pirna", "pirna"),
        ("Пирна", "pirna"),
        ("بيرنا", "pirna"),
        ("Pirma", "pirna"),
        ("ich wohne in pirna", "pirna"),
        ("freitall", "freital"),
        ("Фрайталь", "freital"),
        ("konigstein", "koenigstein"),
        ("koenigstein", "koenigstein"),
        ("Кёнигштайн", "koenigstein"),
        ("كونيغشتاين", "koenigstein"),
        ("glashutte", "glashuette"),
        ("Dipoldiswalde", "dippoldiswalde"),
        ("Dipps", "dippoldiswalde"),
        ("neustadt", "neustadt-in-sachsen"),
        ("bad schandu", "bad-schandau"),
        ("Себниц", "sebnitz"),
        ("زبنيتس", "sebnitz"),
        ("Хайденау", "heidenau"),
        ("Duerrroehrsdorf", "duerrroehrsdorf-dittersbach"),
        ("Geising", "altenberg"),
        ("Dresden", None),
        ("Berlin", None),
        ("hallo", None),
        ("ja", None),
    ],
)
def test_typed_towns(shipped: ContentSnapshot, typed: str, town: str | None) -> None:
    towns = TownIndex(shipped.towns.towns if shipped.towns else ())
    found = towns.find(typed)
    assert (found.id if found else None) == town
