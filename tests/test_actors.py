"""The actor registry: aliases, keys and affiliations; and the shipped actors.csv."""

import pytest

from lib import actors


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kait’ib Hezbollah", "kait'ib  hezbollah"), ("KATA'IB HEZBOLLAH", "Kata'ib Hezbollah"), ("Al–Qaim", "al-qaim")],
)
def test_actor_key_folds_spelling_noise(a, b):
    assert actors.actor_key(a) == actors.actor_key(b)


def test_registry_resolves_aliases(registry):
    assert registry.canonical("KH") == "Kata'ib Hezbollah"
    assert registry.canonical("Kait’ib Hezbollah") == "Kata'ib Hezbollah"
    assert registry.canonical("Someone new") == "Someone new"
    assert registry.resolve("Someone new") is None
    assert "Iran-aligned" in registry.affiliations()
    assert "Kata'ib Hezbollah" in registry.members_of(["Iran-aligned"])
    assert "kh" in registry.keys_for(["Kata'ib Hezbollah"])


def test_an_alias_given_to_two_actors_is_an_error():
    with pytest.raises(ValueError, match="given for both"):
        actors.Registry([actors.Actor("A", [], ["x"]), actors.Actor("B", [], ["X"])])


def test_shipped_actors_file_loads():
    registry = actors.Registry.from_csv()
    assert registry.canonical("Kait'ib Hezbollah") == "Kata'ib Hezbollah"
    assert registry.canonical("Military Forces of the United States") == "United States"
    assert "Kata'ib Hezbollah" in registry.members_of(["Iran-aligned"])


@pytest.mark.parametrize(
    "name",
    ["Military Forces of the United States (2021-)", "Military Forces of the United States (2017-2021)",
     "military forces of the united states ( 2009 - 2017 )"],
)  # fmt: skip
def test_acleds_government_period_does_not_split_an_actor(name, registry):
    assert actors.actor_key(name) == actors.actor_key("Military Forces of the United States")
    assert registry.resolve(name) == "United States"


def test_shipped_registry_knows_acleds_names_for_unidentified_groups_in_the_region():
    registry = actors.Registry.from_csv()
    assert registry.resolve("Unidentified Armed Group (Syria)") == "Unidentified armed group"
    assert registry.resolve("Military Forces of the United States (2021-)") == "United States"


def test_shipped_registry_knows_acleds_names_for_iraqs_forces():
    registry = actors.Registry.from_csv()
    assert registry.resolve("Military Forces of Iraq (2020-)") == "Iraq"
    assert registry.resolve("Police Forces of Iraq (2018-2022)") == "Iraq"


def test_search_finds_actors_by_part_of_any_spelling():
    registry = actors.Registry.from_csv()
    assert registry.search("kataib") == ["Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada"]
    assert "Harakat al-Nujaba" in registry.search("Hezbollah")  # through its alias "Harakat Hezbollah al-Nujaba"
    assert registry.search("ka") == []  # 1–3 letters: no actor, or nearly all would match
    assert registry.search("IED") == registry.search("ira") == []  # not "unidentIFIED", "IRAq" (a whole word)
    assert registry.search("KH") == ["Kata'ib Hezbollah"]  # unless it is an alias, whole
