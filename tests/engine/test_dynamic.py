"""Tests for mocktui.engine.dynamic (Postman dynamic variables)."""

from __future__ import annotations

import importlib.util
import ipaddress
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import faker
import faker.generator
import pytest

# Let the suite run from a checkout whose venv does not have mocktui installed
# (e.g. `pytest tests/engine/test_dynamic.py` with a bare dependency venv).
if importlib.util.find_spec("mocktui") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mocktui.engine import dynamic
from mocktui.engine.dynamic import DynamicVariables

SAMPLES = 40

_UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_LINE = r"[^\n\r]*\S[^\n\r]*"  # one non-blank line
_WORDISH = r"[A-Za-z0-9][\w/ -]*"  # Faker company / bs vocabulary ("24/7", "web services")
_JS_DATE = (
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)"
)
_FLICKR = r"https://loremflickr\.com/640/480/{}\?lock=\d+"
_LATIN_SENTENCE = r"[A-Z][a-z]*( [a-z]+)*\."
_LATIN_PARAGRAPH = rf"{_LATIN_SENTENCE}( {_LATIN_SENTENCE})*"
_DOMAIN = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}"

# Every supported name -> the shape (full-match regex) of its value.
SHAPES: dict[str, str] = {
    # Common
    "guid": _UUID4,
    "timestamp": r"\d{10}",
    "isoTimestamp": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z",
    "randomUUID": _UUID4,
    # Text, numbers, and colors
    "randomAlphaNumeric": r"[a-z0-9]",
    "randomBoolean": r"true|false",
    "randomInt": r"0|[1-9]\d{0,2}|1000",
    "randomColor": r"[a-z]+",
    "randomHexColor": r"#[0-9a-f]{6}",
    "randomAbbreviation": r"[A-Z][A-Z0-9]{1,4}",
    # Internet and IP addresses
    "randomIP": r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}",
    "randomIPV6": r"([0-9a-f]{4}:){7}[0-9a-f]{4}",
    "randomMACAddress": r"([0-9a-f]{2}:){5}[0-9a-f]{2}",
    "randomPassword": r"[A-Za-z0-9]{15}",
    "randomLocale": r"[a-z]{2}",
    "randomUserAgent": r"(Mozilla|Opera)/\d+\.\d+[ .]?\(" + _LINE,
    "randomProtocol": r"https?",
    "randomSemver": r"\d\.\d\.\d",
    # Names
    "randomFirstName": r"[A-Z][A-Za-z'-]*",
    "randomLastName": r"[A-Z][A-Za-z'-]*",
    "randomFullName": r"[A-Z][A-Za-z.'-]*( [A-Za-z.'-]+)+",
    "randomNamePrefix": r"[A-Z][a-z]{1,3}\.?",
    "randomNameSuffix": r"[A-Z][A-Za-z]{0,2}\.?",
    # Profession
    "randomJobArea": r"[A-Z][a-z]+",
    "randomJobDescriptor": r"[A-Z][a-z]+",
    "randomJobTitle": r"[A-Z]" + _LINE,
    "randomJobType": r"[A-Z][a-z]+",
    # Phone, address, and location
    "randomPhoneNumber": r"[1-9]\d{2}-[1-9]\d{2}-\d{4}",
    "randomPhoneNumberExt": r"[1-9]\d?-[1-9]\d{2}-[1-9]\d{2}-\d{4}",
    "randomCity": r"[A-Z][\w .'-]*",
    "randomStreetName": r"[A-Z][\w .'-]*",
    "randomStreetAddress": r"\d+ [A-Z][\w .'-]*",
    "randomCountry": r"[A-Z]" + _LINE,
    "randomCountryCode": r"[A-Z]{2}",
    "randomLatitude": r"-?\d{1,2}\.\d{4}",
    "randomLongitude": r"-?\d{1,3}\.\d{4}",
    # Images
    "randomAvatarImage": r"https://avatars\.githubusercontent\.com/u/\d+",
    "randomImageUrl": r"https://loremflickr\.com/640/480\?lock=\d+",
    "randomAbstractImage": _FLICKR.format("abstract"),
    "randomAnimalsImage": _FLICKR.format("animals"),
    "randomBusinessImage": _FLICKR.format("business"),
    "randomCatsImage": _FLICKR.format("cats"),
    "randomCityImage": _FLICKR.format("city"),
    "randomFoodImage": _FLICKR.format("food"),
    "randomNightlifeImage": _FLICKR.format("nightlife"),
    "randomFashionImage": _FLICKR.format("fashion"),
    "randomPeopleImage": _FLICKR.format("people"),
    "randomNatureImage": _FLICKR.format("nature"),
    "randomSportsImage": _FLICKR.format("sports"),
    "randomTransportImage": _FLICKR.format("transport"),
    "randomImageDataUri": r"data:image/svg\+xml;charset=UTF-8,%3Csvg%20[A-Za-z0-9%_.!~*'()-]+",
    # Finance
    "randomBankAccount": r"\d{8}",
    "randomBankAccountName": r"[A-Z][a-z]+( [A-Z][a-z]+)* Account",
    "randomCreditCardMask": r"\d{4}",
    "randomBankAccountBic": r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?",
    "randomBankAccountIban": r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}",
    "randomTransactionType": r"deposit|withdrawal|payment|invoice",
    "randomCurrencyCode": r"[A-Z]{3}",
    "randomCurrencyName": r"[A-Z]" + _LINE,
    "randomCurrencySymbol": r"\S(.*\S)?",
    "randomBitcoin": r"[13][1-9A-HJ-NP-Za-km-z]{25,33}",
    # Business
    "randomCompanyName": r"[A-Z]" + _LINE,
    "randomCompanySuffix": r"[A-Za-z]" + _LINE,
    "randomBs": _WORDISH,
    "randomBsAdjective": _WORDISH,
    "randomBsBuzz": _WORDISH,
    "randomBsNoun": _WORDISH,
    # Catchphrases
    "randomCatchPhrase": r"[A-Z][\w/ -]*",
    "randomCatchPhraseAdjective": r"[A-Z][\w-]*",
    "randomCatchPhraseDescriptor": _WORDISH,
    "randomCatchPhraseNoun": _WORDISH,
    # Databases
    "randomDatabaseColumn": r"[a-z]+([A-Z][a-z]+)*",
    "randomDatabaseType": r"[a-z]+",
    "randomDatabaseCollation": r"[a-z0-9]+(_[a-z]+)+",
    "randomDatabaseEngine": r"[A-Za-z]+",
    # Dates
    "randomDateFuture": _JS_DATE,
    "randomDatePast": _JS_DATE,
    "randomDateRecent": _JS_DATE,
    "randomWeekday": r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day",
    "randomMonth": (
        r"January|February|March|April|May|June|July|August|September|October|November|December"
    ),
    # Domains, emails, and usernames
    "randomDomainName": _DOMAIN,
    "randomDomainSuffix": r"[a-z]{2,}",
    "randomDomainWord": r"[a-z0-9]([a-z0-9-]*[a-z0-9])?",
    "randomEmail": r"[\w.+-]+@" + _DOMAIN,
    "randomExampleEmail": r"[\w.+-]+@example\.(com|org|net)",
    "randomUserName": r"[\w.-]+",
    "randomUrl": r"https?://" + _DOMAIN + r"/?",
    # Files and directories
    "randomFileName": r"[\w-]+\.[a-z0-9]+",
    "randomFileType": r"[a-z]+",
    "randomFileExt": r"[a-z0-9]+",
    "randomCommonFileName": r"[\w-]+\.[a-z0-9]+",
    "randomCommonFileType": r"video|audio|image|text|application",
    "randomCommonFileExt": r"[a-z0-9]+",
    "randomFilePath": r"(/[\w-]+)+\.[a-z0-9]+",
    "randomDirectoryPath": r"(/[\w-]+)+",
    "randomMimeType": r"[a-z]+/[\w.+-]+",
    # Stores
    "randomPrice": r"[1-9]\d{2}\.\d{2}",
    "randomProduct": r"[A-Z][a-z]+",
    "randomProductAdjective": r"[A-Z][a-z]+",
    "randomProductMaterial": r"[A-Z][a-z]+",
    "randomProductName": r"[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+",
    "randomDepartment": r"[A-Z][a-z]+",
    # Grammar
    "randomNoun": r"[a-z]+",
    "randomVerb": r"[a-z]+",
    "randomIngverb": r"[a-z]+ing( up)?",
    "randomAdjective": r"[a-z]+",
    "randomWord": r"[A-Za-z]+",
    "randomWords": r"[A-Za-z]+( [A-Za-z]+){1,4}",
    "randomPhrase": r"[A-Z][\w' ,-]*!",
    # Lorem ipsum
    "randomLoremWord": r"[a-z]+",
    "randomLoremWords": r"[a-z]+ [a-z]+ [a-z]+",
    "randomLoremSentence": _LATIN_SENTENCE,
    "randomLoremSentences": rf"{_LATIN_SENTENCE}( {_LATIN_SENTENCE}){{1,5}}",
    "randomLoremParagraph": _LATIN_PARAGRAPH,
    "randomLoremParagraphs": rf"{_LATIN_PARAGRAPH}(\n \r{_LATIN_PARAGRAPH}){{2}}",
    "randomLoremText": rf"{_LATIN_PARAGRAPH}(\n{_LATIN_PARAGRAPH})*",
    "randomLoremSlug": r"[a-z]+-[a-z]+-[a-z]+",
    "randomLoremLines": rf"{_LATIN_SENTENCE}(\n{_LATIN_SENTENCE}){{0,4}}",
}

FROZEN_NOW = datetime(2024, 3, 5, 12, 34, 56, 789000, tzinfo=UTC)


@pytest.fixture(scope="module")
def dv() -> DynamicVariables:
    return DynamicVariables(seed=1234)


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(dynamic, "_now", lambda: FROZEN_NOW)
    return FROZEN_NOW


def _parse_js_date(value: str) -> datetime:
    return datetime.strptime(value, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


# ---------------------------------------------------------------- coverage of the table


def test_shape_table_covers_every_supported_name() -> None:
    assert set(SHAPES) == DynamicVariables.names


def test_every_name_has_a_generator(dv: DynamicVariables) -> None:
    assert set(dv._build()) == DynamicVariables.names


def test_supports_postmans_full_list() -> None:
    # Postman's "Dynamic variables" reference lists 118 names.
    assert len(DynamicVariables.names) == 118


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_value_shape(dv: DynamicVariables, name: str) -> None:
    pattern = re.compile(SHAPES[name])
    for _ in range(SAMPLES):
        value = dv.generate(name)
        assert isinstance(value, str)
        assert value.strip(), f"${name} produced a blank value"
        assert pattern.fullmatch(value), f"${name} produced {value!r}"


def test_random_int_range(dv: DynamicVariables) -> None:
    values = [int(dv.generate("randomInt") or "") for _ in range(3000)]
    assert all(0 <= v <= 1000 for v in values)
    # Broadly spread over the range, not stuck at one value.
    assert min(values) < 100
    assert max(values) > 900


def test_random_boolean_produces_both(dv: DynamicVariables) -> None:
    assert {dv.generate("randomBoolean") for _ in range(200)} == {"true", "false"}


@pytest.mark.parametrize("name", ["guid", "randomUUID"])
def test_uuids_are_valid_v4_and_fresh(dv: DynamicVariables, name: str) -> None:
    values = [dv.generate(name) for _ in range(200)]
    assert len(set(values)) == len(values)
    for value in values:
        assert value is not None
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert str(parsed) == value


def test_timestamps_are_now() -> None:
    dv = DynamicVariables()
    before = time.time()
    stamp = int(dv.generate("timestamp") or "")
    iso = dv.generate("isoTimestamp") or ""
    after = time.time()
    assert before - 1 <= stamp <= after + 1
    parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    assert before - 1 <= parsed.timestamp() <= after + 1


def test_time_values_use_the_clock(frozen_now: datetime) -> None:
    dv = DynamicVariables(seed=5)
    assert dv.generate("timestamp") == str(round(frozen_now.timestamp()))
    assert dv.generate("isoTimestamp") == "2024-03-05T12:34:56.789Z"


def test_js_date_string_format() -> None:
    moment = datetime(2024, 3, 5, 12, 34, 56, tzinfo=UTC)
    assert (
        dynamic._js_date_string(moment)
        == "Tue Mar 05 2024 12:34:56 GMT+0000 (Coordinated Universal Time)"
    )


def test_date_ranges(frozen_now: datetime) -> None:
    dv = DynamicVariables(seed=9)
    now = frozen_now.replace(tzinfo=None)
    for _ in range(200):
        past = _parse_js_date(dv.generate("randomDatePast") or "")
        future = _parse_js_date(dv.generate("randomDateFuture") or "")
        recent = _parse_js_date(dv.generate("randomDateRecent") or "")
        assert now - timedelta(days=366) <= past <= now
        assert now <= future <= now + timedelta(days=366)
        assert now - timedelta(days=1, seconds=1) <= recent <= now


def test_coordinates_in_range(dv: DynamicVariables) -> None:
    for _ in range(200):
        assert -90 <= float(dv.generate("randomLatitude") or "") <= 90
        assert -180 <= float(dv.generate("randomLongitude") or "") <= 180


def test_ip_addresses_parse(dv: DynamicVariables) -> None:
    for _ in range(50):
        assert ipaddress.ip_address(dv.generate("randomIP") or "").version == 4
        assert ipaddress.ip_address(dv.generate("randomIPV6") or "").version == 6


def test_price_range(dv: DynamicVariables) -> None:
    for _ in range(500):
        assert 100.0 <= float(dv.generate("randomPrice") or "") <= 999.0


def test_values_are_fresh(dv: DynamicVariables) -> None:
    for name in ("randomEmail", "randomFullName", "randomLoremSentence", "randomImageUrl"):
        values = {dv.generate(name) for _ in range(20)}
        assert len(values) > 1, name


# ---------------------------------------------------------------- seeding


def _sequence(dv: DynamicVariables, rounds: int = 3) -> list[str | None]:
    return [dv.generate(name) for _ in range(rounds) for name in sorted(DynamicVariables.names)]


def test_same_seed_same_sequence(frozen_now: datetime) -> None:
    assert _sequence(DynamicVariables(seed=42)) == _sequence(DynamicVariables(seed=42))


def test_different_seed_different_sequence(frozen_now: datetime) -> None:
    first = _sequence(DynamicVariables(seed=1))
    second = _sequence(DynamicVariables(seed=2))
    assert first != second
    guids = [DynamicVariables(seed=s).generate("guid") for s in range(10)]
    assert len(set(guids)) == 10


def test_unseeded_instances_differ() -> None:
    assert DynamicVariables().generate("guid") != DynamicVariables().generate("guid")


def test_seeded_instances_are_independent(frozen_now: datetime) -> None:
    # Interleaving calls on another instance must not disturb a seeded sequence.
    expected = _sequence(DynamicVariables(seed=7), rounds=1)
    a, b = DynamicVariables(seed=7), DynamicVariables(seed=8)
    got = []
    for name in sorted(DynamicVariables.names):
        got.append(a.generate(name))
        b.generate(name)
    assert got == expected


def test_does_not_touch_global_random_state() -> None:
    random.seed(99)
    global_state = random.getstate()
    faker_state = faker.generator.random.getstate()
    dv = DynamicVariables(seed=3)
    _sequence(dv, rounds=1)
    _sequence(DynamicVariables(), rounds=1)
    assert random.getstate() == global_state
    assert faker.generator.random.getstate() == faker_state


# ---------------------------------------------------------------- naming contract / API


def test_unknown_name_returns_none(dv: DynamicVariables) -> None:
    assert dv.generate("notAVariable") is None
    assert dv.generate("") is None
    assert dv.generate("randomint") is None  # names are case-sensitive, like Postman


def test_names_have_no_dollar_prefix(dv: DynamicVariables) -> None:
    assert isinstance(DynamicVariables.names, frozenset)
    assert len(dynamic._NAMES) == len(DynamicVariables.names)  # no name listed twice
    assert {"guid", "timestamp", "randomInt", "randomEmail"} <= DynamicVariables.names
    # The engine compiles {{$name}} against `names`: each must be what generate() takes, without
    # the "$" (with it, generate() knows nothing).
    for name in DynamicVariables.names:
        assert not name.startswith("$")
        assert dv.generate(name) is not None
        assert dv.generate("$" + name) is None


def test_generate_does_not_build_faker(monkeypatch: pytest.MonkeyPatch) -> None:
    dv = DynamicVariables(seed=11)
    assert dv.generate("guid")  # Faker is set up on the first value asked for

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("Faker must be created once, on the first value asked for")

    monkeypatch.setattr(faker, "Faker", boom)
    for name in sorted(DynamicVariables.names):
        assert dv.generate(name)


def test_faker_is_not_imported_until_a_value_is_asked_for() -> None:
    # Importing Faker and building its generator took a third of a start-up (issue 7).
    code = (
        "import sys; from mocktui.engine.dynamic import DynamicVariables; "
        "d = DynamicVariables(1); assert 'faker' not in sys.modules; "
        "assert d.generate('randomFirstName'); assert 'faker' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_module_avoids_ui_and_server_imports() -> None:
    source = Path(dynamic.__file__).read_text(encoding="utf-8")
    for forbidden in ("textual", "quart", "hypercorn"):
        assert not re.search(rf"^\s*(import|from)\s+{forbidden}\b", source, re.MULTILINE)
