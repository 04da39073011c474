"""URL ⇄ FilterState: round trips, defaults left out, bad values dropped with a notice."""

import datetime as dt

import pytest

from lib import filters, store
from lib.filters import FilterState, Vocabulary


@pytest.fixture
def vocab(registry):
    return Vocabulary(
        datasets=["main", "other"],
        default_dataset="main",
        min_date=dt.date(2019, 12, 27),
        max_date=dt.date(2024, 12, 31),
        actors=["Kata'ib Hezbollah", "United States", "US-led coalition"],
        affiliations=["Iran-aligned", "US-led coalition"],
        types=["Air/drone strike", "Explosions/Remote violence"],
        countries=["Iraq", "Syria", "Jordan"],
        registry=registry,
        event_exists=lambda event_id: event_id == "sitrep:known",
    )


ROUND_TRIPS = [
    FilterState(),
    FilterState(dataset="other"),
    FilterState(date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 2, 28)),
    FilterState(actor=("Kata'ib Hezbollah",), country=("Iraq", "Syria")),
    FilterState(attacker=("United States",), target=("Kata'ib Hezbollah",), type=("Air/drone strike",)),
    FilterState(affiliation=("Iran-aligned",), q="Erbil airport"),
    FilterState(event="sitrep:known"),
    FilterState(cell=(33.5, 44.0, 0.5)),
    FilterState(area=(40.1, 33.25, 44.5, 36.75)),
]


@pytest.mark.parametrize("state", ROUND_TRIPS)
def test_round_trip(state, vocab):
    parsed, notices = filters.from_query(filters.to_query(state), vocab)
    assert parsed == state
    assert notices == []


def test_defaults_stay_out_of_the_url(vocab):
    assert filters.to_query(FilterState()) == {}
    state, _ = filters.from_query({"from": ["2019-12-27"], "to": ["2024-12-31"], "dataset": ["main"]}, vocab)
    assert state == FilterState()
    assert filters.to_query(state) == {}


def test_repeated_keys_and_query_string(vocab):
    state = FilterState(country=("Iraq", "Syria"), q="a&b")
    assert filters.query_string(state) == "country=Iraq&country=Syria&q=a%26b"


BAD = [
    ({"from": ["2021-02-30"]}, "'from=2021-02-30' is not a date"),
    ({"to": ["yesterday"]}, "'to=yesterday' is not a date"),
    ({"actor": ["Nobody"]}, "Unknown actor 'Nobody' ignored"),
    ({"type": ["Bogus"]}, "Unknown type 'Bogus' ignored"),
    ({"country": ["Atlantis"]}, "Unknown country 'Atlantis' ignored"),
    ({"affiliation": ["Martians"]}, "Unknown affiliation 'Martians' ignored"),
    ({"dataset": ["../../etc/passwd"]}, "Unknown dataset '../../etc/passwd' ignored"),
    ({"event": ["sitrep:nope"]}, "Unknown event 'sitrep:nope' ignored"),
    ({"cell": ["1,2"]}, "'cell=1,2' is not a map cell"),
    ({"cell": ["89.9,179.9,90"]}, "'cell=89.9,179.9,90' is not a map cell"),  # past the pole and the date line
    ({"cell": ["89.5,10,1"]}, "'cell=89.5,10,1' is not a map cell"),
    ({"cell": ["34,35,0.00001"]}, "'cell=34,35,0.00001' is not a map cell: its size must be 0.01 to 10 degrees"),
    ({"cell": ["0,0,90"]}, "'cell=0,0,90' is not a map cell: its size must be 0.01 to 10 degrees"),
    ({"area": ["5,5,1,1"]}, "'area=5,5,1,1' is not a box"),
    ({"area": ["181,5,182,6"]}, "'area=181,5,182,6' is not a box"),
    ({"area": ["10,5,10,6"]}, "'area=10,5,10,6' is not a box"),
]


def test_a_box_across_the_antimeridian_is_west_past_east_in_a_link_and_in_words(vocab):
    state, notices = filters.from_query({"area": ["179.5,-17,-179.5,-16"]}, vocab)
    assert not notices and state.area == (179.5, -17.0, -179.5, -16.0)
    assert "in the box 17.00° S – 16.00° S, 179.50° E – 179.50° W" in filters.describe(
        state, 2, dt.date(2020, 1, 1), dt.date(2020, 1, 1)
    )
    # the map's corners run past 180 there; the link's do not
    assert filters.normal_area(179.5, -17.0, 180.5, -16.0) == (179.5, -17.0, -179.5, -16.0)
    assert filters.normal_area(-181.0, 1.0, -179.0, 2.0) == (179.0, 1.0, -179.0, 2.0)
    assert filters.normal_area(10.0, 1.0, 20.0, 2.0) == (10.0, 1.0, 20.0, 2.0)
    assert filters.normal_area(-200.0, 1.0, 200.0, 2.0) == (-180.0, 1.0, 180.0, 2.0)
    spot = filters.normal_area(179.9995, -16.0005, 180.0015, -15.9995)
    assert "at 16.0000° S, 179.9995° W" in filters.describe(
        FilterState(area=spot), 1, dt.date(2020, 1, 1), dt.date(2020, 1, 1)
    )


def test_a_box_or_cell_opens_from_its_link_as_it_was_made_however_precise(vocab):
    """The link carries degrees to 5 decimals, and the state holds them so: a box drawn at full
    precision, its link, and the view that link opens are one box."""
    drawn = FilterState(area=(44.123456789, 33.000001, 44.987654321, 33.5), cell=(89.98999, 179.98999, 0.01))
    assert drawn.area == (44.12346, 33.0, 44.98765, 33.5) and drawn.cell == (89.98999, 179.98999, 0.01)
    opened, notices = filters.from_query(filters.to_query(drawn), vocab)
    assert opened == drawn and not notices
    assert filters.to_query(FilterState(area=(-0.000001, 1, 2, 3)))["area"] == ["0,1,2,3"]
    # a box of no width at the link's precision is refused where it is asked for, not only when shared
    state, notices = filters.from_query({"area": ["44,33,44.0000001,33.0000001"]}, vocab)
    assert state.area is None and notices[0].startswith("'area=44,33,44.0000001,33.0000001' is not a box")


def test_dates_sitrep_cannot_show_pages_it_cannot_count_and_invisible_characters_are_dropped(vocab):
    # the date slider cannot reach 1600 or 9999 (the whole page failed); imports start at 1900
    state, notices = filters.from_query({"from": ["1600-01-01"], "to": ["9999-12-31"], "country": ["Iraq"]}, vocab)
    assert state == FilterState(country=("Iraq",))
    assert notices == [
        "'from=1600-01-01' is outside the dates Sitrep takes (1900-01-01 – 2199-12-31); ignored. Check the year.",
        "'to=9999-12-31' is outside the dates Sitrep takes (1900-01-01 – 2199-12-31); ignored. Check the year.",
    ]
    assert filters.from_query({"from": ["1900-01-01"]}, vocab)[0].date_from == dt.date(1900, 1, 1)
    # "²" passes str.isdigit() but not int()
    for page in ["\u00b2", "0", "-1", "1e3"]:
        sort, number, notes = filters.table_from_query({"page": [page]})
        assert number == 1 and notes[0].endswith("is not a page number (1, 2, …); showing page 1.")
    # a page number of 5,000 digits (beyond int()'s limit) is past the end, as page 999 is, not "no number"
    for page in ["1" + "0" * 5000, "99999999999999999999999", "0012"]:
        sort, number, notes = filters.table_from_query({"page": [page]})
        assert number == min(int(page[:12]), filters.MAX_PAGE) and not notes
    # a right-to-left override turned the sentence around; a search text keeps only visible text
    state, _ = filters.from_query({"q": ["\u202eErbil\u2066 airport\x07"]}, vocab)
    assert state.q == "Erbil airport"
    assert filters.search_text("می\u200cروند") == "می\u200cروند"  # a zero-width non-joiner is spelling
    assert filters.search_text("  Tal\u00a0Abyad\n") == "Tal Abyad"
    # pasted from a web page or a document: invisible, and "Erbil" then found nothing
    for pasted in ("Erbil\u200b", "Er\u00adbil", "\ufeffErbil", "Erbil\u200d", "\u200cErbil", "Er\u2060bil"):
        assert filters.search_text(pasted) == "Erbil", repr(pasted)
    assert filters.search_text("क्\u200dष") == "क्\u200dष"  # after a virama (a mark): Devanagari spelling
    state, _ = filters.from_query({"q": ["Erbil\u200b airport"]}, vocab)
    assert state.q == "Erbil airport"


@pytest.mark.parametrize(("params", "expected"), BAD)
def test_bad_values_are_dropped_with_a_notice(params, expected, vocab):
    state, notices = filters.from_query(params, vocab)
    assert state == FilterState()
    assert len(notices) == 1
    assert notices[0].startswith(expected)


def test_good_values_survive_beside_bad_ones(vocab):
    state, notices = filters.from_query({"country": ["Iraq", "Atlantis"], "from": ["2020-01-01"]}, vocab)
    assert state == FilterState(country=("Iraq",), date_from=dt.date(2020, 1, 1))
    assert notices == ["Unknown country 'Atlantis' ignored: it does not occur in this dataset."]


def test_an_unknown_value_near_a_known_one_is_named(vocab):
    state, notices = filters.from_query({"country": ["irak", "Syria"], "actor": ["Kataib Hezbolah"]}, vocab)
    assert state.country == ("Syria",)
    assert notices == [
        "Unknown actor 'Kataib Hezbolah' ignored: it does not occur in this dataset. "
        'Did you mean "Kata\'ib Hezbollah"?',
        "Unknown country 'irak' ignored: it does not occur in this dataset. Did you mean 'Iraq'?",
    ]
    # a few suggestions a link, however many unknown values it carries (each costs a scan of the names)
    _, notices = filters.from_query({"dataset": ["Othre"]}, vocab)  # a dataset's name too
    assert notices == ["Unknown dataset 'Othre' ignored; showing 'main'. Did you mean 'other'?"]
    _, notices = filters.from_query({"country": [f"Iraq{i}" for i in range(20)]}, vocab)
    assert len(notices) == 20 and sum("Did you mean 'Iraq'?" in n for n in notices) == 5


def test_dates_beyond_the_data_are_kept_as_asked_and_reversed_ones_swapped(vocab):
    # partly beyond the data (the fixture runs 27 Dec 2019 – 31 Dec 2024): kept, and no notice
    state, notices = filters.from_query({"from": ["2022-01-01"], "to": ["1999-01-01"]}, vocab)
    assert (state.date_from, state.date_to) == (dt.date(1999, 1, 1), dt.date(2022, 1, 1))
    assert notices == ["'from=2022-01-01' is after 'to=1999-01-01'; the two were swapped."]
    # wholly beyond it: kept too (clamped to the last day, it showed that day's events), and said
    state, notices = filters.from_query({"from": ["2025-01-01"], "to": ["2025-06-30"]}, vocab)
    assert (state.date_from, state.date_to) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert notices == [
        "The dates 2025-01-01 – 2025-06-30 are outside the data (2019-12-27 – 2024-12-31): no event begins in "
        "them. Change the dates to see events."
    ]
    # one end, past the data's other end: that one day, not a reversed range
    state, notices = filters.from_query({"to": ["2019-01-31"]}, vocab)
    assert state.date_from == state.date_to == dt.date(2019, 1, 31)
    assert notices[0].startswith(
        "The date 2019-01-31 is outside the data (2019-12-27 – 2024-12-31): no event falls in it."
    )
    state, notices = filters.from_query({"from": ["2030-01-01"]}, vocab)
    assert state.date_from == state.date_to == dt.date(2030, 1, 1)
    state, notices = filters.from_query({"from": ["2024-06-01"], "to": ["2030-01-01"]}, vocab)
    assert (state.date_from, state.date_to, notices) == (dt.date(2024, 6, 1), dt.date(2030, 1, 1), [])


def test_aliases_and_case_resolve_to_canonical_names(vocab):
    state, notices = filters.from_query({"actor": ["KH", "kait’ib hezbollah"], "country": ["iraq"]}, vocab)
    assert state.actor == ("Kata'ib Hezbollah",)
    assert state.country == ("Iraq",)
    assert notices == []


def test_unknown_keys_get_a_notice_with_the_nearest_key_but_streamlits_and_trackers_do_not(vocab):
    state, notices = filters.from_query({"contry": ["Iraq"], "zzz": ["red"], "embed": ["true"],
                                         "utm_source": ["x"], "fbclid": ["y"]}, vocab)  # fmt: skip
    assert state == FilterState()
    assert notices[0] == "Unknown link key 'contry' ignored. Did you mean 'country'?"
    assert notices[1].startswith("Unknown link key 'zzz' ignored. The keys are: actor, attacker,")
    assert len(notices) == 2


def test_a_long_bad_value_is_cut_in_its_notice(vocab):
    _, notices = filters.from_query({"actor": ["A" * 5000]}, vocab)
    assert notices == [f"Unknown actor '{'A' * 59}…' ignored: it does not occur in this dataset."]


def test_long_search_text_is_cut(vocab):
    state, notices = filters.from_query({"q": ["x" * 500]}, vocab)
    assert len(state.q) == filters.MAX_QUERY_LENGTH
    assert notices


DESCRIPTIONS = [
    (FilterState(), 5, "Strikes and attacks, 27 Dec 2019 – 31 Dec 2024: 5 events"),
    (
        FilterState(
            affiliation=("Iran-aligned",),
            country=("Iraq",),
            date_from=dt.date(2020, 1, 1),
            date_to=dt.date(2021, 2, 28),
        ),
        3,
        "Strikes and attacks involving Iran-aligned groups in Iraq, 1 Jan 2020 – 28 Feb 2021: 3 events",
    ),
    (
        FilterState(attacker=("United States",), target=("Kata'ib Hezbollah",), type=("Air/drone strike",)),
        1,
        "Air/drone strike events by United States against Kata'ib Hezbollah, 27 Dec 2019 – 31 Dec 2024: 1 event",
    ),
    (  # one "involving" for an actor and an affiliation ("involving United States involving Iran-aligned groups")
        FilterState(actor=("United States",), affiliation=("Iran-aligned",)),
        2,
        "Strikes and attacks involving United States and Iran-aligned groups, 27 Dec 2019 – 31 Dec 2024: 2 events",
    ),
    (
        FilterState(q="Erbil", country=("Iraq", "Syria", "Jordan")),
        1234,
        "Strikes and attacks in Iraq, Syria or Jordan mentioning “Erbil”, 27 Dec 2019 – 31 Dec 2024: 1,234 events",
    ),
    (  # "Narrow every view to this spot": one place, not a box of equal bounds
        FilterState(area=(43.959, 36.2367, 43.961, 36.2387)),
        9,
        "Strikes and attacks at 36.2377° N, 43.9600° E, 27 Dec 2019 – 31 Dec 2024: 9 events",
    ),
    (
        FilterState(area=(-70.5, -34.0, -70.0, -33.25)),
        2,
        "Strikes and attacks in the box 34.00° S – 33.25° S, 70.50° W – 70.00° W, 27 Dec 2019 – 31 Dec 2024: 2 events",
    ),
    (
        FilterState(date_from=dt.date(2024, 1, 28), date_to=dt.date(2024, 1, 28)),
        1,
        "Strikes and attacks on 28 Jan 2024: 1 event",
    ),
    (
        FilterState(cell=(34.0, 40.5, 0.5)),
        4,
        "Strikes and attacks in the 0.5° cell 34.00° N – 34.50° N, 40.50° E – 41.00° E, 27 Dec 2019 – 31 Dec 2024: "
        "4 events",
    ),
]


@pytest.mark.parametrize(("state", "count", "expected"), DESCRIPTIONS)
def test_describe(state, count, expected):
    assert filters.describe(state, count, dt.date(2019, 12, 27), dt.date(2024, 12, 31)) == expected


@pytest.mark.parametrize(
    ("source_format", "roles", "sentence"),
    [
        ("shipped", ("Attacker", "Target"), "Strikes and attacks by A against B, "),
        ("gdelt", ("Attacker", "Target"), "Strikes and attacks by A against B, "),
        ("csv", ("Attacker", "Target"), "Strikes and attacks by A against B, "),
        ("acled", ("Actor 1", "Actor 2"), "Strikes and attacks with A as actor 1 and B as actor 2, "),
        ("ucdp", ("Actor 1", "Actor 2"), "Strikes and attacks with A as actor 1 and B as actor 2, "),
    ],
)
def test_actor_order_is_a_direction_only_where_the_format_says_so(source_format, roles, sentence):
    info = store.DatasetInfo("d", 1, None, None, source_format, "", False, "f")
    assert filters.actor_roles(info.directed) == roles
    state = FilterState(attacker=("A",), target=("B",))
    text = filters.describe(state, 1, dt.date(2020, 1, 1), dt.date(2020, 12, 31), info.directed)
    assert text.startswith(sentence), text
    if not info.directed:
        one = filters.describe(FilterState(target=("B",)), 1, dt.date(2020, 1, 1), dt.date(2020, 12, 31), False)
        assert one.startswith("Strikes and attacks with B as actor 2, "), one


def test_markdown_from_a_link_or_the_data_is_made_literal_in_the_sentence_and_notices():
    text = "![x](http://127.0.0.1:9/p.png) [link](https://e.x) **b** :red[x] `c` $x$ <https://e.x> :smile: a_b~c|d"
    inert = filters.md_inline(text)
    assert inert == (
        "!\\[x\\](http\u2060://127.0.0.1:9/p.png) \\[link\\](https\u2060://e.x) \\*\\*b\\*\\* \\:red\\[x\\] \\`c\\` "
        "\\$x\\$ \\<https\u2060://e.x\\> \\:smile: a\\_b\\~c\\|d"
    )  # a word joiner (U+2060) keeps a bare address from being linked
    assert filters.md_inline("a\nb  c www.x.org me@x.org") == "a b c www\u2060.x.org me\u2060@x.org"
    assert (
        filters.md_inline("sitrep:2021-02-15-erbil Iran-aligned 36.2° N.")
        == "sitrep:2021-02-15-erbil Iran-aligned 36.2° N."
    )
    sentence = filters.describe(
        FilterState(q="[a](https://e.x)", actor=("**KH**",)), 1, dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    )
    assert "involving \\*\\*KH\\*\\*" in sentence and "mentioning “\\[a\\](https\u2060://e.x)”" in sentence


def test_a_link_with_many_bad_values_gets_a_few_notices_and_a_count_of_the_rest():
    assert filters.cap_notices(["a", "b"]) == ["a", "b"]
    many = [f"n{i}" for i in range(200)]
    capped = filters.cap_notices(many)
    assert len(capped) == filters.MAX_NOTICES and capped[:-1] == many[: filters.MAX_NOTICES - 1]
    assert capped[-1] == "… and 193 more problems with this link's values: correct or remove them."
    assert filters.table_from_query({"sort": ["FATALITIES"]}) == ("fatalities", 1, [])  # any case, as other values
    _, _, notices = filters.table_from_query({"sort": ["oldest", "fatalities"], "page": ["2", "3"]})
    assert notices == [
        "'sort' was given 2 times; used the first value, 'oldest'.",
        "'page' was given 2 times; used the first value, '2'.",
    ]


@pytest.mark.parametrize(
    ("page_url", "query", "link"),
    [
        ("http://127.0.0.1:8501", "country=Iraq", "http://127.0.0.1:8501/?country=Iraq"),
        ("http://127.0.0.1:8501/", "country=Iraq", "http://127.0.0.1:8501/?country=Iraq"),
        ("http://127.0.0.1:8501/timeline", "q=a%26b", "http://127.0.0.1:8501/timeline?q=a%26b"),
        ("http://127.0.0.1:8501/events?sort=oldest", "", "http://127.0.0.1:8501/events"),
        ("https://maps.example.org/sitrep/about", "", "https://maps.example.org/sitrep/about"),
        ("http://127.0.0.1:8501", "", "http://127.0.0.1:8501/"),
    ],
)
def test_the_share_link_is_the_address_the_browser_shows(page_url, query, link):
    assert filters.share_link(page_url, query) == link


@pytest.mark.parametrize(
    ("page_url", "missing", "link"),
    [
        ("http://127.0.0.1:8501/nonexistent-page", "nonexistent-page", "http://127.0.0.1:8501/?country=Iraq"),
        ("http://127.0.0.1:8501/nonexistent-page/", "nonexistent-page", "http://127.0.0.1:8501/?country=Iraq"),
        ("https://maps.example.org/sitrep/nope", "nope", "https://maps.example.org/sitrep?country=Iraq"),
        # only a path the URL ends with: the app's own base path stays
        ("https://maps.example.org/sitrep", "nope", "https://maps.example.org/sitrep?country=Iraq"),
        ("http://127.0.0.1:8501/timeline", "", "http://127.0.0.1:8501/timeline?country=Iraq"),
    ],
)
def test_a_page_the_app_does_not_have_leaves_the_share_link(page_url, missing, link):
    assert filters.share_link(page_url, "country=Iraq", missing) == link


def test_the_sentence_in_plain_text_keeps_names_and_search_as_typed():
    state = FilterState(q="[a](https://e.x) *b*", actor=("**KH**",), attacker=("A_1",))
    plain = filters.describe(state, 2, dt.date(2020, 1, 1), dt.date(2020, 12, 31), markdown=False)
    assert (
        plain == "Strikes and attacks by A_1 involving **KH** mentioning “[a](https://e.x) *b*”, "
        "1 Jan 2020 – 31 Dec 2020: 2 events"
    )
    assert filters.describe(state, 2, dt.date(2020, 1, 1), dt.date(2020, 12, 31)) != plain  # made literal for Markdown


def test_the_nearest_name_shares_its_first_letter():
    assert filters.nearest("irak", ["Iraq", "Iran"]) == "Iraq"
    assert filters.nearest("Narnia", ["Armenia", "Syria"]) is None  # 77% alike, but no one means Armenia
