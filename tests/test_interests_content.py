"""The interest check's content: validation sentences, and the score the README describes."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import SHIPPED_CONTENT_DIR
from knowledge import german_words
from knowledge.interests import DIMENSIONS, InterestCheck, parse
from knowledge.loader import INTERESTS, ContentError, ContentSnapshot, load_content, snapshot_from_items
from knowledge.sheets import export_folder

FOLDER = SHIPPED_CONTENT_DIR / "interests"
LANGS = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")


def _all(text: str) -> dict[str, str]:
    return {lang: f"{text} ({lang})" for lang in LANGS}


def shipped_data() -> dict[str, Any]:
    return {
        name: yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))
        for name in ("model.yaml", "statements.yaml", "fields.yaml")
    }


def problems_after(change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = copy.deepcopy(shipped_data())
    change(data)
    check, problems = parse(data)
    assert check is None
    return [f"{file}: {message}" for file, _line, message in problems]


def test_the_shipped_check_loads_with_every_part(shipped: ContentSnapshot) -> None:
    check = shipped.interests
    assert check is not None
    assert len(check.statements) == 18
    assert [d.id for d in check.dimensions] == list(DIMENSIONS)
    assert len(check.fields) == 13
    assert sum(len(f.occupations) for f in check.fields) == 45
    assert check.points == {"like": 2, "unsure": 1, "dislike": 0}
    assert check.machine_translated == frozenset(LANGS[1:])
    assert "CC BY 4.0" in check.attribution
    # The German-words check finds nothing in it (names: O*NET, BERUFENET, RIASEC, BQN).
    assert german_words.check(shipped, ("interests",)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["statements.yaml"]["statements"][0]["text"].pop("fa"),
            "interests/statements.yaml: the text of statement 'r1' has no text in fa; "
            "every text needs all eight languages",
        ),
        (
            lambda d: d["statements.yaml"]["statements"][1].update(dimension="X"),
            "interests/statements.yaml: statement 'i1': 'X' is not one of R I A S E C",
        ),
        (
            lambda d: d["statements.yaml"]["statements"][1].update(dimension="R"),
            "interests/statements.yaml: statement 'i1' has the same dimension (R) as the statement "
            "before it; alternate them",
        ),
        (
            lambda d: d["statements.yaml"]["statements"].pop(),
            "interests/statements.yaml: every dimension needs the same number of statements "
            "(now R 3, I 3, A 3, S 3, E 2, C 3)",
        ),
        (
            lambda d: d["statements.yaml"]["statements"][2].update(id="r1"),
            "interests/statements.yaml: the id 'r1' is used by two statements",
        ),
        (
            lambda d: d["statements.yaml"].update(answers={"like": 1, "unsure": 1, "dislike": 0}),
            "interests/statements.yaml: 'answers' should give like more points than unsure, "
            "unsure more than dislike, and dislike 0 or more",
        ),
        (
            lambda d: d["statements.yaml"]["statements"][0]["text"].update(
                de="Ich repariere sehr gern und sehr oft alte Fahrräder, Mopeds, Roller oder Autos."
            ),
            "interests/statements.yaml: the German text of statement 'r1' has 79 characters; "
            "keep it to about 70",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["dimensions"].update(R=0),
            "interests/fields.yaml: the field 'metall': the weight of R should be a number above 0",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["dimensions"].update(Q=0.5),
            "interests/fields.yaml: the field 'metall': 'Q' is not one of R I A S E C",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][12]["dimensions"].update(A=0.7),
            "interests/fields.yaml: no field has a weight of at least 0.8 for A; "
            "every dimension needs a field where it leads",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][1]["occupations"].pop(),
            "interests/fields.yaml: the field 'elektro' has 2 occupations; give 3 to 5",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][1].update(id="metall"),
            "interests/fields.yaml: the id 'metall' is used by two fields",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][1]["occupations"][0].update(id="industriemechaniker"),
            "interests/fields.yaml: the occupation id 'industriemechaniker' is used twice "
            "(also in the field 'metall')",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(kind="abendschule"),
            "interests/fields.yaml: the occupation 'industriemechaniker': kind 'abendschule' is not one "
            "of dual, schulisch, schulisch_verguetet (see 'kinds')",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(school={"text": "abitur"}),
            "interests/fields.yaml: the occupation 'industriemechaniker': school text 'abitur' is not a "
            "key of 'school_texts'",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(
                url="https://www.example.org/industriemechaniker"
            ),
            "interests/fields.yaml: the occupation 'industriemechaniker': url should be null or an https "
            "address on web.arbeitsagentur.de or planet-beruf.de",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(german_level="B1"),
            "interests/fields.yaml: the occupation 'industriemechaniker': german_level should be null or "
            "a CEFR level (A1, A2, B1, B2, C1, C2) with a source (level: B1, source: {url: …, title: …})",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(checked_on="gestern"),
            "interests/fields.yaml: the occupation 'industriemechaniker': checked_on is 'gestern', not a "
            "valid date; write the day it was checked as YYYY-MM-DD",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].pop("sources"),
            "interests/fields.yaml: the occupation 'industriemechaniker' needs 'sources': a list of web "
            "pages with url and title (an empty list [] if none)",
        ),
        (
            lambda d: d["fields.yaml"]["fields"][0]["occupations"][0].update(verify=False),
            "interests/fields.yaml: the occupation 'industriemechaniker' needs verify: true, because "
            "url, german_level, district_source is null",
        ),
        (
            lambda d: d["fields.yaml"]["kinds"]["dual"].pop("uk"),
            "interests/fields.yaml: the kind of training 'dual' has no text in uk; every text needs all "
            "eight languages",
        ),
        (
            lambda d: d["model.yaml"]["messages"].pop("result_none"),
            "interests/model.yaml: the message 'result_none' is missing",
        ),
        (
            lambda d: d["model.yaml"]["messages"]["intro"].update(ar="اقرأ {count} جمل"),
            "interests/model.yaml: the message 'intro' in ar has a placeholder other than {n}; "
            "write other braces doubled ({{ }})",
        ),
        (
            lambda d: d["model.yaml"]["dimensions"].pop(),
            "interests/model.yaml: the dimensions C are missing; the model has all six",
        ),
        (
            lambda d: d["model.yaml"].update(machine_translated=["de", "en"]),
            "interests/model.yaml: machine_translated should list the languages not yet reviewed, out of "
            "en, ar, uk, ru, fa, tr, cs (German is the source)",
        ),
    ],
)
def test_each_broken_file_gets_its_sentence(change: Callable[[dict[str, Any]], None], expected: str) -> None:
    assert expected in problems_after(change)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def test_kb_validate_names_file_and_line(folder: Path) -> None:
    path = folder / "interests" / "fields.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('kind: "schulisch_verguetet"', 'kind: "verguetet"', 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    [problem] = caught.value.problems
    line = next(i for i, t in enumerate(text.splitlines(), 1) if 'kind: "schulisch_verguetet"' in t)
    assert str(problem).startswith(f"content/interests/fields.yaml:{line}: the occupation ")
    assert "kind 'verguetet' is not one of" in str(problem)


def test_a_missing_or_broken_file_is_one_sentence(folder: Path) -> None:
    (folder / "interests" / "statements.yaml").unlink()
    (folder / "interests" / "model.yaml").write_text("version: 1\nversion: 2\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert sorted(str(p) for p in caught.value.problems) == [
        "content/interests/model.yaml:2: 'version' appears twice in this mapping; "
        "the second would silently replace the first",
        "content/interests/statements.yaml: the file is missing",
    ]


def test_without_the_folder_there_is_no_check(folder: Path) -> None:
    shutil.rmtree(folder / "interests")
    assert load_content(folder).interests is None


def test_stored_and_exported_content_keeps_the_check(shipped: ContentSnapshot, tmp_path: Path) -> None:
    rebuilt = snapshot_from_items(shipped.items())
    assert rebuilt.interests == shipped.interests
    assert rebuilt.fingerprint == shipped.fingerprint
    export_folder(shipped, tmp_path / "out")
    assert load_content(tmp_path / "out").interests == shipped.interests
    broken = [dict(i) for i in shipped.items()]
    for item in broken:
        if item["kind"] == INTERESTS:
            item["body"] = {**item["body"], "fields.yaml": {}}
    with pytest.raises(ValueError, match="the stored interest check is not valid"):
        snapshot_from_items(broken)


# ---------------------------------------------------------------- the score


def small_check(weights: list[dict[str, float]]) -> InterestCheck:
    """Six statements (one per dimension) and a field per weight mapping."""
    occupation = {
        "id": "beruf",
        "name": _all("Beruf"),
        "kind": "dual",
        "duration_years": 3,
        "school": {"text": None},
        "german_level": None,
        "url": None,
        "district_source": None,
        "sources": [],
        "checked_on": "2026-12-05",
        "verify": True,
    }
    fields = [
        {
            "id": f"f{i}",
            "name": _all(f"Feld {i}"),
            "description": _all("Beschreibung"),
            "dimensions": w,
            "occupations": [{**occupation, "id": f"b{i}{k}"} for k in range(3)],
        }
        for i, w in enumerate(weights)
    ]
    data = copy.deepcopy(shipped_data())
    data["statements.yaml"]["statements"] = [
        {"id": d.lower(), "dimension": d, "text": _all(f"Satz {d}")} for d in DIMENSIONS
    ]
    data["fields.yaml"]["fields"] = fields
    check, problems = parse(data)
    assert problems == []
    assert check is not None
    return check


LEADING = [{d: 1.0} for d in DIMENSIONS]


def test_dimension_and_field_scores_by_hand() -> None:
    check = small_check([*LEADING, {"R": 1.0, "C": 0.5}, {"S": 0.8, "E": 0.8}])
    # R like (2), I unsure (1), A dislike (0), S like (2), E unsure (1), C like (2)
    answers = ["like", "unsure", "dislike", "like", "unsure", "like"]
    scores = check.dimension_scores(answers)
    assert scores == {"R": 2, "I": 1, "A": 0, "S": 2, "E": 1, "C": 2}
    mixed = check.field("f6")
    assert mixed is not None
    assert mixed.score(scores) == pytest.approx((1.0 * 2 + 0.5 * 2) / 1.5)  # 2.0
    service = check.field("f7")
    assert service is not None
    assert service.score(scores) == pytest.approx((0.8 * 2 + 0.8 * 1) / 1.6)  # 1.5
    # One statement per dimension: more than 1 point (all "unsure") is a clear direction.
    result = check.score(answers)
    assert result.code() == "210212"
    # R, S, C and f6 all score 2.0: the file's order decides (f0 = R, f3 = S, f5 = C).
    assert [f.id for f in result.fields] == ["f0", "f3", "f5"]


def test_a_weighted_mean_does_not_favour_many_weights() -> None:
    check = small_check([*LEADING, {"R": 1.0, "I": 1.0, "A": 1.0, "S": 1.0, "E": 1.0, "C": 1.0}])
    result = check.result({"R": 2, "I": 0, "A": 0, "S": 0, "E": 0, "C": 0})
    assert [f.id for f in result.fields][:2] == ["f0", "f6"]  # 2.0, then 2/6
    assert check.field("f6") is not None


def test_no_clear_direction() -> None:
    check = small_check(LEADING)
    assert not check.score(["unsure"] * 6).clear
    assert not check.score(["dislike"] * 6).clear
    assert check.score(["dislike"] * 5 + ["like"]).clear


def test_shipped_weights_put_one_field_per_dimension_on_top(shipped: ContentSnapshot) -> None:
    check = shipped.interests
    assert check is not None
    top = {}
    for d in DIMENSIONS:
        answers = ["like" if s.dimension == d else "dislike" for s in check.statements]
        top[d] = check.score(answers).fields[0].id
    assert top == {
        "R": "landwirtschaft",
        "I": "it",
        "A": "medien",
        "S": "soziales",
        "E": "wirtschaft",
        "C": "wirtschaft",
    }
    # Everything liked: all fields score 6 and the first three of the file win.
    assert [f.id for f in check.score(["like"] * 18).fields] == ["metall", "elektro", "bau"]
    assert not check.score(["unsure"] * 18).clear


def test_scores_travel_as_six_digits(shipped: ContentSnapshot) -> None:
    check = shipped.interests
    assert check is not None
    assert check.scores_from_code("604213") == {"R": 6, "I": 0, "A": 4, "S": 2, "E": 1, "C": 3}
    for forged in ("", "60421", "6042131", "70421a", "904213"):
        assert check.scores_from_code(forged) is None
