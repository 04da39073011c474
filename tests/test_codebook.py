"""The codebook documents exactly the canonical columns, in order, with their precision codes."""

import re

from lib import docs, schema


def test_codebook_lists_every_canonical_column_in_order():
    text = docs.codebook_text()
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.M)
    assert documented == schema.CANONICAL_COLUMNS


def test_codebook_says_empty_casualties_are_unknown():
    text = docs.codebook_text()
    for column in ("fatalities", "injuries"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{column}` |"))
        assert "never zero" in row


def test_codebook_counts_the_shipped_events():
    from lib.store import load_shipped

    assert f"**What it is.** {len(load_shipped())} strikes and attacks" in docs.codebook_text()


def test_the_about_page_shows_the_codebook_under_its_heading_without_the_developers_sentence():
    text = docs.codebook_for_readers()
    assert not text.lstrip().startswith("# ")
    assert "### Columns" in text and "#### Columns" not in text  # h3 under the page's "Codebook" (h2)
    assert "test_codebook" not in text and "lib/schema.py" not in text
    assert "by the rules at the end." in text  # the sentence before it is whole
    assert "| `event_id` |" in text


def test_the_codebooks_columns_are_read_from_its_table_for_the_phone_layout():
    assert docs.codebook_columns() == ["column", "type", "allowed values", "empty means"]
