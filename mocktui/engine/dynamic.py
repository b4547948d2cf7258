"""Postman dynamic variables (``{{$guid}}``, ``{{$randomEmail}}``, ...) backed by Faker.

Postman fills these placeholders with values from faker.js (see
``postman-collection/lib/superstring/dynamic-variables.js`` and the "Dynamic variables"
page of the Postman Learning Center).  This module reproduces every one of them with the
Python ``faker`` library and returns each value as the text Postman would splice into a
body: numbers as digits, booleans as ``true``/``false``, dates as JavaScript
``Date.prototype.toString()`` output.

Where Python Faker has no equivalent provider (faker.js's ``hacker``, ``commerce``,
``database`` and ``name.jobArea|jobDescriptor|jobType`` vocabularies, a few finance
enums) small fixed tuples taken from faker.js are used instead.

Everything random goes through one Faker generator per :class:`DynamicVariables`
instance, seeded per instance, so a seed makes the whole sequence reproducible.  Only the
clock-based values (``$timestamp``, ``$isoTimestamp`` and the offsets that
``$randomDate*`` apply to "now") depend on anything else.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from faker.generator import Generator

__all__ = ["DynamicVariables"]

Producer = Callable[[], str]

# --------------------------------------------------------------------------------------
# Every supported name, without the leading "$" (Postman's full list, in the order of the
# Postman "Dynamic variables" reference page).
# --------------------------------------------------------------------------------------
_NAMES: tuple[str, ...] = (
    # Common
    "guid",
    "timestamp",
    "isoTimestamp",
    "randomUUID",
    # Text, numbers, and colors
    "randomAlphaNumeric",
    "randomBoolean",
    "randomInt",
    "randomColor",
    "randomHexColor",
    "randomAbbreviation",
    # Internet and IP addresses
    "randomIP",
    "randomIPV6",
    "randomMACAddress",
    "randomPassword",
    "randomLocale",
    "randomUserAgent",
    "randomProtocol",
    "randomSemver",
    # Names
    "randomFirstName",
    "randomLastName",
    "randomFullName",
    "randomNamePrefix",
    "randomNameSuffix",
    # Profession
    "randomJobArea",
    "randomJobDescriptor",
    "randomJobTitle",
    "randomJobType",
    # Phone, address, and location
    "randomPhoneNumber",
    "randomPhoneNumberExt",
    "randomCity",
    "randomStreetName",
    "randomStreetAddress",
    "randomCountry",
    "randomCountryCode",
    "randomLatitude",
    "randomLongitude",
    # Images
    "randomAvatarImage",
    "randomImageUrl",
    "randomAbstractImage",
    "randomAnimalsImage",
    "randomBusinessImage",
    "randomCatsImage",
    "randomCityImage",
    "randomFoodImage",
    "randomNightlifeImage",
    "randomFashionImage",
    "randomPeopleImage",
    "randomNatureImage",
    "randomSportsImage",
    "randomTransportImage",
    "randomImageDataUri",
    # Finance
    "randomBankAccount",
    "randomBankAccountName",
    "randomCreditCardMask",
    "randomBankAccountBic",
    "randomBankAccountIban",
    "randomTransactionType",
    "randomCurrencyCode",
    "randomCurrencyName",
    "randomCurrencySymbol",
    "randomBitcoin",
    # Business
    "randomCompanyName",
    "randomCompanySuffix",
    "randomBs",
    "randomBsAdjective",
    "randomBsBuzz",
    "randomBsNoun",
    # Catchphrases
    "randomCatchPhrase",
    "randomCatchPhraseAdjective",
    "randomCatchPhraseDescriptor",
    "randomCatchPhraseNoun",
    # Databases
    "randomDatabaseColumn",
    "randomDatabaseType",
    "randomDatabaseCollation",
    "randomDatabaseEngine",
    # Dates
    "randomDateFuture",
    "randomDatePast",
    "randomDateRecent",
    "randomWeekday",
    "randomMonth",
    # Domains, emails, and usernames
    "randomDomainName",
    "randomDomainSuffix",
    "randomDomainWord",
    "randomEmail",
    "randomExampleEmail",
    "randomUserName",
    "randomUrl",
    # Files and directories
    "randomFileName",
    "randomFileType",
    "randomFileExt",
    "randomCommonFileName",
    "randomCommonFileType",
    "randomCommonFileExt",
    "randomFilePath",
    "randomDirectoryPath",
    "randomMimeType",
    # Stores
    "randomPrice",
    "randomProduct",
    "randomProductAdjective",
    "randomProductMaterial",
    "randomProductName",
    "randomDepartment",
    # Grammar
    "randomNoun",
    "randomVerb",
    "randomIngverb",
    "randomAdjective",
    "randomWord",
    "randomWords",
    "randomPhrase",
    # Lorem ipsum
    "randomLoremWord",
    "randomLoremWords",
    "randomLoremSentence",
    "randomLoremSentences",
    "randomLoremParagraph",
    "randomLoremParagraphs",
    "randomLoremText",
    "randomLoremSlug",
    "randomLoremLines",
)

# --------------------------------------------------------------------------------------
# Small fixed vocabularies for faker.js providers that Python Faker does not have.
# --------------------------------------------------------------------------------------

# faker.js hacker.abbreviation
_ABBREVIATIONS: tuple[str, ...] = (
    "ADP", "AGP", "AI", "API", "ASCII", "CLI", "COM", "CSS", "DNS", "EXE", "FTP", "GB",
    "HDD", "HEX", "HTTP", "IB", "IP", "JBOD", "JSON", "OCR", "PCI", "PNG", "RAM", "RSS",
    "SAS", "SCSI", "SDD", "SMS", "SMTP", "SQL", "SSD", "SSL", "TCP", "THX", "TLS", "UDP",
    "USB", "UTF8", "XML", "XSS",
)  # fmt: skip

# faker.js hacker.ingverb
_ING_VERBS: tuple[str, ...] = (
    "backing up", "bypassing", "hacking", "overriding", "compressing", "copying",
    "navigating", "indexing", "connecting", "generating", "quantifying", "calculating",
    "synthesizing", "transmitting", "programming", "parsing",
)  # fmt: skip

# faker.js hacker.phrase templates; each {slot} is filled with a fresh random value.
_PHRASE_TEMPLATES: tuple[str, ...] = (
    "If we {verb} the {noun}, we can get to the {abbreviation} {noun} through the "
    "{adjective} {abbreviation} {noun}!",
    "We need to {verb} the {adjective} {abbreviation} {noun}!",
    "Try to {verb} the {abbreviation} {noun}, maybe it will {verb} the {adjective} {noun}!",
    "You can't {verb} the {noun} without {ingverb} the {adjective} {abbreviation} {noun}!",
    "Use the {adjective} {abbreviation} {noun}, then you can {verb} the {adjective} {noun}!",
    "The {abbreviation} {noun} is down, {verb} the {adjective} {noun} so we can {verb} "
    "the {abbreviation} {noun}!",
    "{ingverb} the {noun} won't do anything, we need to {verb} the {adjective} "
    "{abbreviation} {noun}!",
    "I'll {verb} the {adjective} {abbreviation} {noun}, that should {noun} the "
    "{abbreviation} {noun}!",
)
_SLOT = re.compile(r"\{(\w+)\}")

# faker.js name.jobDescriptor / name.jobArea / name.jobType
_JOB_DESCRIPTORS: tuple[str, ...] = (
    "Lead", "Senior", "Direct", "Corporate", "Dynamic", "Future", "Product", "National",
    "Regional", "District", "Central", "Global", "Customer", "Investor", "International",
    "Legacy", "Forward", "Internal", "Human", "Chief", "Principal",
)  # fmt: skip
_JOB_AREAS: tuple[str, ...] = (
    "Solutions", "Program", "Brand", "Security", "Research", "Marketing", "Directives",
    "Implementation", "Integration", "Functionality", "Response", "Paradigm", "Tactics",
    "Identity", "Markets", "Group", "Division", "Applications", "Optimization",
    "Operations", "Infrastructure", "Intranet", "Communications", "Web", "Branding",
    "Quality", "Assurance", "Mobility", "Accounts", "Data", "Creative", "Configuration",
    "Accountability", "Interactions", "Factors", "Usability", "Metrics",
)  # fmt: skip
_JOB_TYPES: tuple[str, ...] = (
    "Supervisor", "Associate", "Executive", "Liaison", "Officer", "Manager", "Engineer",
    "Specialist", "Director", "Coordinator", "Administrator", "Architect", "Analyst",
    "Designer", "Planner", "Orchestrator", "Technician", "Developer", "Producer",
    "Consultant", "Assistant", "Facilitator", "Agent", "Representative", "Strategist",
)  # fmt: skip

# faker.js commerce.*
_PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Small", "Ergonomic", "Rustic", "Intelligent", "Gorgeous", "Incredible", "Fantastic",
    "Practical", "Sleek", "Awesome", "Generic", "Handcrafted", "Handmade", "Licensed",
    "Refined", "Unbranded", "Tasty",
)  # fmt: skip
_PRODUCT_MATERIALS: tuple[str, ...] = (
    "Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal",
    "Soft", "Fresh", "Frozen",
)  # fmt: skip
_PRODUCTS: tuple[str, ...] = (
    "Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants",
    "Shirt", "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish",
    "Cheese", "Bacon", "Pizza", "Salad", "Sausages", "Chips",
)  # fmt: skip
_DEPARTMENTS: tuple[str, ...] = (
    "Books", "Movies", "Music", "Games", "Electronics", "Computers", "Home", "Garden",
    "Tools", "Grocery", "Health", "Beauty", "Toys", "Kids", "Baby", "Clothing", "Shoes",
    "Jewelery", "Sports", "Outdoors", "Automotive", "Industrial",
)  # fmt: skip

# faker.js finance.accountName / finance.transactionType
_ACCOUNT_TYPES: tuple[str, ...] = (
    "Checking", "Savings", "Money Market", "Investment", "Home Loan", "Credit Card",
    "Auto Loan", "Personal Loan",
)  # fmt: skip
_TRANSACTION_TYPES: tuple[str, ...] = ("deposit", "withdrawal", "payment", "invoice")

# faker.js database.*
_DB_COLUMNS: tuple[str, ...] = (
    "id", "title", "name", "email", "phone", "token", "group", "category", "password",
    "comment", "avatar", "status", "createdAt", "updatedAt",
)  # fmt: skip
_DB_TYPES: tuple[str, ...] = (
    "int", "varchar", "text", "date", "datetime", "tinyint", "time", "timestamp",
    "smallint", "mediumint", "bigint", "decimal", "float", "double", "real", "bit",
    "boolean", "serial", "blob", "binary", "enum", "set", "geometry", "point",
)  # fmt: skip
_DB_COLLATIONS: tuple[str, ...] = (
    "utf8_unicode_ci", "utf8_general_ci", "utf8_bin", "ascii_bin", "ascii_general_ci",
    "cp1250_bin", "cp1250_general_ci",
)  # fmt: skip
_DB_ENGINES: tuple[str, ...] = ("InnoDB", "MyISAM", "MEMORY", "CSV", "BLACKHOLE", "ARCHIVE")

# faker.js internet.protocol / system.commonFileType
_PROTOCOLS: tuple[str, ...] = ("http", "https")
_COMMON_FILE_TYPES: tuple[str, ...] = ("video", "audio", "image", "text", "application")
# Python Faker's "common" file-extension categories (file_extension(category=...)).
_COMMON_EXT_CATEGORIES: tuple[str, ...] = ("audio", "image", "office", "text", "video")

# Image variables -> loremflickr.com category.  faker.js used placeimg.com/lorempixel.com
# (both shut down); Faker's image_url() only yields three fixed URLs per size, so a
# random ?lock= makes every value a distinct, still-working image URL.
_IMAGE_CATEGORIES: dict[str, str] = {
    "randomAbstractImage": "abstract",
    "randomAnimalsImage": "animals",
    "randomBusinessImage": "business",
    "randomCatsImage": "cats",
    "randomCityImage": "city",
    "randomFoodImage": "food",
    "randomNightlifeImage": "nightlife",
    "randomFashionImage": "fashion",
    "randomPeopleImage": "people",
    "randomNatureImage": "nature",
    "randomSportsImage": "sports",
    "randomTransportImage": "transport",
}

_ALPHANUMERIC = string.ascii_lowercase + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ENCODE_URI_COMPONENT_SAFE = "-_.!~*'()"

# Date.prototype.toString() is always English, whatever the process locale.
_JS_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_JS_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_YEAR = timedelta(days=365)
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


def _now() -> datetime:
    """Current time, timezone-aware UTC (module-level so tests can freeze it)."""
    return datetime.now(UTC)


def _js_date_string(moment: datetime) -> str:
    """Format like JavaScript's ``String(new Date(...))`` in a UTC process.

    e.g. ``Tue Mar 05 2024 12:34:56 GMT+0000 (Coordinated Universal Time)``.
    """
    m = moment.astimezone(UTC)
    return (
        f"{_JS_WEEKDAYS[m.weekday()]} {_JS_MONTHS[m.month - 1]} {m.day:02d} {m.year:04d} "
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d} GMT+0000 (Coordinated Universal Time)"
    )


def _timestamp() -> str:
    # Postman: Math.round(Date.now() / 1000)
    return str(round(_now().timestamp()))


def _iso_timestamp() -> str:
    # Postman: new Date().toISOString() -> 2020-06-09T21:10:36.177Z
    return _now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DynamicVariables:
    """Generator for Postman's ``{{$name}}`` dynamic variables.

    ``names`` lists the supported names without the leading ``$``.  ``generate(name)``
    returns a fresh value as text, or ``None`` for a name Postman does not define.
    """

    names: frozenset[str] = frozenset(_NAMES)

    def __init__(self, seed: int | None = None) -> None:
        # Faker is imported and set up on the first value asked for: importing it and building
        # its generator took a third of a start-up (issue 7), and most collections never ask.
        self._seed = seed
        self._generators: dict[str, Producer] | None = None

    def _build(self) -> dict[str, Producer]:
        from faker import Faker
        from faker.providers import BaseProvider
        from faker.providers.company import Provider as CompanyProvider
        from faker.providers.lorem.la import Provider as LatinLoremProvider

        seed = self._seed
        proxy = Faker("en_US")
        # Always give this instance its own random.Random (seeded from the OS when
        # seed is None) so instances never share or disturb each other's state.
        proxy.seed_instance(seed)
        # Bind straight to the single en_US Generator: no proxy indirection per call.
        fake: Generator = proxy.factories[0]
        self._fake = fake
        # Latin lorem ipsum (Postman's $randomLorem*) bound to the same seeded generator;
        # the en_US lorem provider stays in place for the English $randomWord & co.
        self._latin = LatinLoremProvider(fake)
        company = fake.provider("faker.providers.company")
        if not isinstance(company, CompanyProvider):  # pragma: no cover - always present
            raise RuntimeError("Faker has no company provider")
        catch_adjectives, catch_descriptors, catch_nouns = company.catch_phrase_words
        bs_buzz, bs_adjectives, bs_nouns = company.bsWords
        self._language_codes: tuple[str, ...] = tuple(
            code for code in BaseProvider.language_locale_codes if len(code) == 2
        )

        pick = fake.random_element

        def choice(options: tuple[str, ...]) -> Producer:
            return lambda: pick(options)

        def image(category: str) -> Producer:
            return lambda: (
                f"https://loremflickr.com/640/480/{category}?lock={fake.random_int(1, 99999)}"
            )

        self._phrase_slots: dict[str, Producer] = {
            "abbreviation": choice(_ABBREVIATIONS),
            "adjective": lambda: fake.word(part_of_speech="adjective"),
            "noun": lambda: fake.word(part_of_speech="noun"),
            "verb": lambda: fake.word(part_of_speech="verb"),
            "ingverb": choice(_ING_VERBS),
        }

        latin = self._latin
        generators: dict[str, Producer] = {
            # Common
            "guid": fake.uuid4,
            "timestamp": _timestamp,
            "isoTimestamp": _iso_timestamp,
            "randomUUID": fake.uuid4,
            # Text, numbers, and colors
            "randomAlphaNumeric": lambda: fake.lexify("?", letters=_ALPHANUMERIC),
            "randomBoolean": lambda: "true" if fake.boolean() else "false",
            "randomInt": lambda: str(fake.random_int(0, 1000)),
            "randomColor": fake.safe_color_name,
            "randomHexColor": fake.hex_color,
            "randomAbbreviation": choice(_ABBREVIATIONS),
            # Internet and IP addresses
            "randomIP": fake.ipv4,
            "randomIPV6": lambda: ipaddress.IPv6Address(fake.ipv6()).exploded,
            "randomMACAddress": fake.mac_address,
            "randomPassword": lambda: fake.password(length=15, special_chars=False),
            "randomLocale": choice(self._language_codes),
            "randomUserAgent": fake.user_agent,
            "randomProtocol": choice(_PROTOCOLS),
            "randomSemver": lambda: fake.numerify("#.#.#"),
            # Names
            "randomFirstName": fake.first_name,
            "randomLastName": fake.last_name,
            "randomFullName": fake.name,
            "randomNamePrefix": fake.prefix,
            "randomNameSuffix": fake.suffix,
            # Profession
            "randomJobArea": choice(_JOB_AREAS),
            "randomJobDescriptor": choice(_JOB_DESCRIPTORS),
            "randomJobTitle": fake.job,
            "randomJobType": choice(_JOB_TYPES),
            # Phone, address, and location
            "randomPhoneNumber": self._phone_number,
            "randomPhoneNumberExt": lambda: f"{fake.random_int(1, 99)}-{self._phone_number()}",
            "randomCity": fake.city,
            "randomStreetName": fake.street_name,
            "randomStreetAddress": fake.street_address,
            "randomCountry": fake.country,
            "randomCountryCode": fake.country_code,
            "randomLatitude": lambda: f"{fake.latitude():.4f}",
            "randomLongitude": lambda: f"{fake.longitude():.4f}",
            # Images
            "randomAvatarImage": lambda: (
                f"https://avatars.githubusercontent.com/u/{fake.random_int(1, 100_000_000)}"
            ),
            "randomImageUrl": lambda: (
                f"https://loremflickr.com/640/480?lock={fake.random_int(1, 99999)}"
            ),
            **{name: image(category) for name, category in _IMAGE_CATEGORIES.items()},
            "randomImageDataUri": self._image_data_uri,
            # Finance
            "randomBankAccount": lambda: fake.numerify("########"),
            "randomBankAccountName": lambda: f"{pick(_ACCOUNT_TYPES)} Account",
            "randomCreditCardMask": lambda: fake.numerify("####"),
            "randomBankAccountBic": fake.swift,
            "randomBankAccountIban": fake.iban,
            "randomTransactionType": choice(_TRANSACTION_TYPES),
            "randomCurrencyCode": fake.currency_code,
            "randomCurrencyName": fake.currency_name,
            "randomCurrencySymbol": fake.currency_symbol,
            "randomBitcoin": self._bitcoin_address,
            # Business
            "randomCompanyName": fake.company,
            "randomCompanySuffix": fake.company_suffix,
            "randomBs": fake.bs,
            "randomBsAdjective": choice(tuple(bs_adjectives)),
            "randomBsBuzz": choice(tuple(bs_buzz)),
            "randomBsNoun": choice(tuple(bs_nouns)),
            # Catchphrases
            "randomCatchPhrase": fake.catch_phrase,
            "randomCatchPhraseAdjective": choice(tuple(catch_adjectives)),
            "randomCatchPhraseDescriptor": choice(tuple(catch_descriptors)),
            "randomCatchPhraseNoun": choice(tuple(catch_nouns)),
            # Databases
            "randomDatabaseColumn": choice(_DB_COLUMNS),
            "randomDatabaseType": choice(_DB_TYPES),
            "randomDatabaseCollation": choice(_DB_COLLATIONS),
            "randomDatabaseEngine": choice(_DB_ENGINES),
            # Dates (faker.js date.future / past with years=1, recent with days=1)
            "randomDateFuture": lambda: self._js_date_between(_SECOND, _YEAR),
            "randomDatePast": lambda: self._js_date_between(-_YEAR, -_SECOND),
            "randomDateRecent": lambda: self._js_date_between(-_DAY, -_SECOND),
            "randomWeekday": fake.day_of_week,
            "randomMonth": fake.month_name,
            # Domains, emails, and usernames
            "randomDomainName": fake.domain_name,
            "randomDomainSuffix": fake.tld,
            "randomDomainWord": fake.domain_word,
            "randomEmail": fake.email,
            "randomExampleEmail": fake.safe_email,
            "randomUserName": fake.user_name,
            "randomUrl": fake.url,
            # Files and directories
            "randomFileName": fake.file_name,
            "randomFileType": lambda: fake.mime_type().partition("/")[0],
            "randomFileExt": fake.file_extension,
            "randomCommonFileName": lambda: fake.file_name(category=pick(_COMMON_EXT_CATEGORIES)),
            "randomCommonFileType": choice(_COMMON_FILE_TYPES),
            "randomCommonFileExt": lambda: fake.file_extension(
                category=pick(_COMMON_EXT_CATEGORIES)
            ),
            "randomFilePath": fake.file_path,
            "randomDirectoryPath": lambda: posixpath.dirname(
                fake.file_path(depth=fake.random_int(2, 4))
            ),
            "randomMimeType": fake.mime_type,
            # Stores (Postman documents $randomPrice as 100.00 - 999.00)
            "randomPrice": lambda: f"{fake.random_int(10_000, 99_900) / 100:.2f}",
            "randomProduct": choice(_PRODUCTS),
            "randomProductAdjective": choice(_PRODUCT_ADJECTIVES),
            "randomProductMaterial": choice(_PRODUCT_MATERIALS),
            "randomProductName": lambda: (
                f"{pick(_PRODUCT_ADJECTIVES)} {pick(_PRODUCT_MATERIALS)} {pick(_PRODUCTS)}"
            ),
            "randomDepartment": choice(_DEPARTMENTS),
            # Grammar
            "randomNoun": lambda: fake.word(part_of_speech="noun"),
            "randomVerb": lambda: fake.word(part_of_speech="verb"),
            "randomIngverb": choice(_ING_VERBS),
            "randomAdjective": lambda: fake.word(part_of_speech="adjective"),
            "randomWord": fake.word,
            "randomWords": lambda: " ".join(fake.words(nb=fake.random_int(2, 5))),
            "randomPhrase": self._phrase,
            # Lorem ipsum
            "randomLoremWord": latin.word,
            "randomLoremWords": lambda: " ".join(latin.words(nb=3)),
            "randomLoremSentence": latin.sentence,
            "randomLoremSentences": lambda: " ".join(latin.sentences(nb=fake.random_int(2, 6))),
            "randomLoremParagraph": latin.paragraph,
            # faker.js lorem.paragraphs() joins with "\n \r"; Postman passes that through.
            "randomLoremParagraphs": lambda: "\n \r".join(latin.paragraphs(nb=3)),
            "randomLoremText": latin.text,
            "randomLoremSlug": lambda: "-".join(latin.words(nb=3)),
            "randomLoremLines": lambda: "\n".join(latin.sentences(nb=fake.random_int(1, 5))),
        }
        self._generators = generators
        return generators

    def generate(self, name: str) -> str | None:
        """Fresh value for `name` (without "$"), as the text to splice into a body; None if
        unknown."""
        generators = self._generators
        if generators is None:
            generators = self._build()
        producer = generators.get(name)
        return None if producer is None else producer()

    # ----------------------------------------------------------------------------------
    # Generators that need more than one Faker call.
    # ----------------------------------------------------------------------------------

    def _phone_number(self) -> str:
        # faker.js phone.phoneNumberFormat(0): "!##-!##-####" (no extension).
        return self._fake.numerify("%##-%##-####")

    def _bitcoin_address(self) -> str:
        # Legacy P2PKH/P2SH shape: "1" or "3" then 25-33 base58 characters.
        fake = self._fake
        body = fake.lexify("?" * fake.random_int(25, 33), letters=_BASE58)
        return f"{fake.random_element(('1', '3'))}{body}"

    def _image_data_uri(self) -> str:
        # faker.js image.dataUri(): an SVG of one colour, URI-encoded.  (Postman calls it
        # without a size and ends up with width="undefined"; a real size is used here.)
        fake = self._fake
        width, height = 640, 480
        colour = fake.safe_color_name()
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" baseProfile="full" '
            f'width="{width}" height="{height}">'
            f'<rect width="100%" height="100%" fill="{colour}"/>'
            f'<text x="{width // 2}" y="{height // 2}" font-size="20" '
            'alignment-baseline="middle" text-anchor="middle" fill="white">'
            f"{width}x{height}</text></svg>"
        )
        return "data:image/svg+xml;charset=UTF-8," + quote(svg, safe=_ENCODE_URI_COMPONENT_SAFE)

    def _js_date_between(self, start: timedelta, end: timedelta) -> str:
        now = _now()
        moment = self._fake.date_time_between(
            start_date=now + start, end_date=now + end, tzinfo=UTC
        )
        return _js_date_string(moment)

    def _phrase(self) -> str:
        # faker.js hacker.phrase(): a template whose every slot gets a fresh word.
        slots = self._phrase_slots
        template: str = self._fake.random_element(_PHRASE_TEMPLATES)
        phrase = _SLOT.sub(lambda match: slots[match.group(1)](), template)
        return phrase[0].upper() + phrase[1:]
