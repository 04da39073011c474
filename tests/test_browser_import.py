"""End to end: a file imported through the command line, or uploaded on the Data page, shows on the Map."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lib import importers
from tests.browser import MAP_JS, POINTS_DRAWN_JS, ROOT, page_on_store, streamlit_server

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def points_drawn(page, expected: int) -> None:
    page.wait_for_function(f"() => ({POINTS_DRAWN_JS})() === {expected}", timeout=30_000)


def test_cli_import_then_map(tmp_path, browser):
    catalog = tmp_path / "catalog.json"
    env = {"SITREP_STORE": str(catalog)}
    source = FIXTURES / "acled_current.csv"
    done = subprocess.run(
        [sys.executable, "-m", "lib", "import", str(source), "--dataset", "acled-e2e"],
        cwd=ROOT,
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = importers.read_file(source).report.rows_kept
    with streamlit_server(env) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url + "/?dataset=acled-e2e")
        points_drawn(page, expected)
        expect(page.locator("[data-testid='stCaptionContainer']", has_text=f": {expected:,} events")).to_be_visible()
        context.close()


def test_upload_check_commit_and_open_on_the_map(tmp_path, browser):
    source = FIXTURES / "ucdp_ged.csv"
    result = importers.read_file(source)
    with streamlit_server({"SITREP_STORE": str(tmp_path / "catalog.json")}) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        page = context.new_page()
        page.goto(url + "/data")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(source))
        expect(page.get_by_text("ucdp_ged.csv")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Check the file").click()
        expect(page.locator("[data-testid='stMetric']", has_text="Rejected")).to_contain_text(
            str(len(result.report.rejected_rows)), timeout=30_000
        )
        expect(page.locator("[data-testid='stMetric']", has_text="Valid")).to_contain_text(str(result.report.rows_kept))
        expect(page.get_by_text("Format UCDP GED. Preview of the valid rows")).to_be_visible()
        page.wait_for_function(  # the preview map draws on the country borders this server serves
            f"""() => {{ try {{
                const m = {MAP_JS};
                return m.querySourceFeatures('sitrep-borders').length > 0;
            }} catch (e) {{ return false; }} }}""",
            timeout=30_000,
        )
        # The Map page's key, not Plotly's legend (which draws rings for unknown casualties as dots)
        expect(page.locator(".sitrep-map-legend > span").first).to_be_visible()
        assert page.locator(".js-plotly-plot .legend").count() == 0
        # another name after the check: the check's Commit button named the old one
        commit = page.get_by_role("button", name=f"Commit {result.report.rows_kept:,} events to 'ucdp_ged'")
        expect(commit).to_be_visible()
        name_box = page.get_by_role("textbox", name="Dataset name")
        name_box.fill("another-name")
        name_box.press("Enter")
        expect(page.get_by_text("changed since the file was checked: check the file again")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_role("button", name=re.compile("^Commit "))).to_have_count(0)
        name_box.fill("ucdp_ged")  # the settings checked: the check holds again
        name_box.press("Enter")
        commit.click(timeout=30_000)
        page.get_by_role("button", name="Open 'ucdp_ged' on the map").click(timeout=30_000)
        page.wait_for_url("**/?dataset=ucdp_ged", timeout=30_000)
        points_drawn(page, result.report.rows_kept)
        context.close()


def check_upload(page, url: str, source: Path) -> None:
    """On the Data page of the server at ``url``: upload ``source`` and check it."""
    page.goto(url + "/data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(source))
    expect(page.get_by_text(source.name)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Check the file").click()


NOTHING_TO_COMMIT = re.compile("^Nothing to commit: the file has no valid row")


def test_the_data_page_says_when_nothing_can_be_committed_and_refuses_the_shipped_name_at_the_check(tmp_path, browser):
    rejected = tmp_path / "all_bad.csv"
    rejected.write_text(
        "event_id,event_date,event_type,actor1,country,latitude,longitude\n"
        "a,2021,Battles,Army,Iraq,33.1,44.2\nb,2021-02-25,Battles,Army,Iraq,95,44.2\n",
        encoding="utf-8",
    )
    with page_on_store(browser, tmp_path / "catalog.json", {}, height=1200) as (page, url):
        check_upload(page, url, rejected)
        expect(page.get_by_text(NOTHING_TO_COMMIT)).to_be_visible(timeout=30_000)
        assert page.get_by_role("button", name=re.compile("^Commit")).count() == 0
        # the problems can be taken away to work through (the table's own download is off)
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name=re.compile(r"^Download the 2 errors and 2 warnings \(CSV\)")).click()
        assert download.value.suggested_filename == "all_bad-problems.csv"
        saved = tmp_path / "problems.csv"
        download.value.save_as(saved)
        lines = saved.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "row,spreadsheet row,column,problem,value,severity" and len(lines) == 5
        assert lines[3].startswith("1,2,event_date,") and lines[4].startswith("2,3,latitude,")
        name = page.get_by_label("Dataset name")
        name.fill("us-iran-2019-2024")
        name.press("Enter")
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("'us-iran-2019-2024' is the shipped dataset's name; choose another")).to_be_visible(
            timeout=30_000
        )
        # a mapping line the page cannot read is said, not left out without a word
        mapping = page.get_by_label(re.compile("^Column mapping for a plain CSV"))
        mapping.fill("event_date: Date\nactor1=Actor")
        mapping.press("Control+Enter")
        page.get_by_role("button", name="Check the file").click()
        expect(
            page.get_by_text(re.compile("^The column mapping cannot read “event_date: Date”: write each"))
        ).to_be_visible(timeout=30_000)


def test_a_file_whose_rows_cannot_show_their_date_order_is_read_in_the_order_stated(tmp_path, browser):
    # named past what a file system holds (327 bytes): the server wrote it under that name and failed
    name = "early_days " + "日付" * 52 + ".csv"
    text = (
        "event_id,event_date,event_type,actor1,country,latitude,longitude\n"
        "a,03/04/2021,Battles,Army,Iraq,33.1,44.2\nb,05/06/2021,Battles,Army,Iraq,33.2,44.3\n"
    )
    with page_on_store(browser, tmp_path / "catalog.json", {}, height=1200) as (page, url):
        page.goto(url + "/data")
        upload = {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(upload)
        expect(page.get_by_text(re.compile(r"^early_d\.\.\..*日付\.csv$"))).to_be_visible(
            timeout=30_000
        )  # cut on screen
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text(NOTHING_TO_COMMIT)).to_be_visible(timeout=30_000)  # every date ambiguous
        page.get_by_text("day first", exact=True).click()
        expect(page.get_by_text("changed since the file was checked: check the file again")).to_be_visible(
            timeout=30_000
        )
        page.get_by_role("button", name="Check the file").click()
        commit = page.get_by_role("button", name="Commit 2 events to 'early_days'")
        commit.click(timeout=30_000)
        page.get_by_role("button", name="Open 'early_days' on the map").click(timeout=30_000)
        said = re.compile(r"^Strikes and attacks, 3 Apr 2021 – 5 Jun 2021: 2 events$")
        expect(page.get_by_text(said)).to_be_visible(timeout=30_000)


def test_a_zipped_gdelt_file_keeps_every_cameo_code_when_ticked_and_says_the_files_warnings_above_the_rows(
    tmp_path, browser
):
    import zipfile

    from tests.test_importers_gdelt import gdelt_row, write

    plain = write(
        tmp_path,
        [
            gdelt_row(61, GLOBALEVENTID="1"),
            gdelt_row(61, GLOBALEVENTID="2", EventCode="042", EventBaseCode="042", EventRootCode="04"),
            gdelt_row(61, GLOBALEVENTID="3", ActionGeo_Type="1", ActionGeo_FullName="Lebanon"),
        ],
    )
    source = tmp_path / "day.CSV.zip"  # zipped, as GDELT publishes it (a short name: the uploader cuts long ones)
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "day.CSV")
    with page_on_store(browser, tmp_path / "catalog.json", {}, height=1400) as (page, url):
        check_upload(page, url, source)
        valid = page.locator("[data-testid='stMetric']", has_text="Valid")
        expect(valid).to_contain_text("1", timeout=30_000)
        expect(page.get_by_text("read day.CSV, the file inside the archive day.CSV.zip")).to_be_visible()
        expect(page.locator("[data-testid='stMetric']", has_text="Rejected")).to_contain_text("1")
        # the whole file's warning in words, above the table of rows (the country-level row)
        skipped = page.locator("[data-testid='stAlert']", has_text="1 of 3 events are not material conflict")
        expect(skipped).to_contain_text("the Data page's 'Keep every CAMEO code'")
        tables = page.locator("[data-testid='stDataFrame']")
        expect(tables).to_have_count(2)  # the store's datasets, and the rejected row
        page.get_by_text("Keep every CAMEO code (GDELT files)").click()
        expect(page.get_by_text("changed since the file was checked: check the file again")).to_be_visible(
            timeout=30_000
        )
        page.get_by_role("button", name="Check the file").click()
        expect(valid).to_contain_text("2", timeout=30_000)
        expect(page.get_by_text("are not material conflict")).to_have_count(0)
        expect(tables).to_have_count(2)  # the country-level row is still refused
        expect(page.get_by_role("button", name="Commit 2 events to 'day'")).to_be_visible()


def test_a_file_of_another_format_than_the_datasets_is_refused_at_the_check(tmp_path, browser):
    from lib import store

    catalog = tmp_path / "catalog.json"
    with page_on_store(browser, catalog, {"clash": "acled"}, height=1200) as (page, url):
        page.goto(url + "/data")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            str(FIXTURES / "canonical.csv")
        )
        expect(page.get_by_text("canonical.csv")).to_be_visible(timeout=30_000)
        name = page.get_by_label("Dataset name")
        expect(name).to_have_value("canonical", timeout=30_000)  # the name suggested from the file
        name.fill("clash")
        name.press("Enter")
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text(re.compile(r"^'clash' holds ACLED data and this is a plain-table file"))).to_be_visible(
            timeout=30_000
        )
        assert page.get_by_role("button", name=re.compile("^Commit")).count() == 0
        assert store.Store(catalog).info("clash").rows == 5


def test_a_corrected_file_uploaded_again_updates_the_stored_events_when_asked(tmp_path, browser):
    from lib import store

    header = "event_id,event_date,event_type,actor1,country,latitude,longitude,notes\n"
    first = tmp_path / "fix.csv"
    first.write_text(header + "a,2021-02-25,Attack,X,Syria,35.0,38.0,one\nb,2021-02-26,Attack,X,Syria,38.0,35.0,two\n")
    catalog = tmp_path / "catalog.json"
    subprocess.run(
        [sys.executable, "-m", "lib", "import", str(first), "--dataset", "fix"],
        cwd=ROOT, env={**__import__("os").environ, "SITREP_STORE": str(catalog)}, check=True, capture_output=True,
    )  # fmt: skip
    fixed = tmp_path / "fixed" / "fix.csv"  # b's swapped point corrected
    fixed.parent.mkdir()
    fixed.write_text(header + "a,2021-02-25,Attack,X,Syria,35.0,38.0,one\nb,2021-02-26,Attack,X,Syria,35.0,38.0,two\n")
    with streamlit_server({"SITREP_STORE": str(catalog)}) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1400})
        page = context.new_page()
        try:
            page.goto(url + "/data")
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(fixed))
            expect(page.get_by_label("Dataset name")).to_have_value("fix", timeout=30_000)
            page.get_by_role("button", name="Check the file").click()
            expect(page.get_by_text("'fix' already holds 2 of these events (same event_id); 1 of them")).to_be_visible(
                timeout=30_000
            )
            # every event is stored already: nothing to commit until the update is asked for
            expect(page.get_by_text("Nothing to commit: 'fix' already holds every event of this file")).to_be_visible()
            assert page.get_by_role("button", name=re.compile("^Commit")).count() == 0
            # a plain table's terms, typed here, are something to commit too
            licence = page.get_by_role("textbox", name="Licence or terms of use of this data")
            licence.fill("CC BY 4.0: cite *Fix* Monitor")
            licence.press("Tab")
            expect(page.get_by_role("button", name="Commit to 'fix': set its licence")).to_be_visible(timeout=30_000)
            page.get_by_text("Update the 1 stored event with this file's values").click()
            page.get_by_role("button", name="Commit to 'fix': update 1, set its licence").click()
            expect(
                page.get_by_text("Added 0 events to 'fix', 1 updated with this file's values (1 was already there")
            ).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Its licence is now: CC BY 4.0: cite *Fix* Monitor")).to_be_visible()
            page.goto(url + "/about?dataset=fix")  # shown as typed, not as Markdown
            expect(page.get_by_text("fix — CC BY 4.0: cite *Fix* Monitor")).to_be_visible(timeout=30_000)
            # the same file again: the box holds the stored licence; emptied, the default note comes back
            page.goto(url + "/data")
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(fixed))
            expect(page.get_by_label("Dataset name")).to_have_value("fix", timeout=30_000)
            page.get_by_role("button", name="Check the file").click()
            licence = page.get_by_role("textbox", name="Licence or terms of use of this data")
            expect(licence).to_have_value("CC BY 4.0: cite *Fix* Monitor", timeout=30_000)
            assert page.get_by_role("button", name=re.compile("^Commit")).count() == 0  # nothing new
            licence.fill("")
            licence.press("Tab")
            page.get_by_role("button", name="Commit to 'fix': set its licence").click(timeout=30_000)
            expect(page.get_by_text("Its licence is now: As stated by whoever supplied the file.")).to_be_visible(
                timeout=30_000
            )
            assert store.Store(catalog).info("fix").licence == store.LICENCES["csv"]
            page.goto(url + "/about?dataset=fix")
            expect(page.get_by_text("fix — As stated by whoever supplied the file.")).to_be_visible(timeout=30_000)
        finally:
            context.close()
    opened = store.Store(catalog)
    rows = opened.cursor().execute(f"SELECT event_id, latitude FROM {opened.relation('fix')} ORDER BY 1").fetchall()
    assert rows == [("a", 35.0), ("b", 35.0)]  # the correction is stored


def test_a_commit_into_a_dataset_whose_file_is_damaged_says_the_way_out_on_this_page(tmp_path, browser):
    """This page replaces no dataset: the refusal named the CLI's --replace only."""
    import json

    catalog = tmp_path / "catalog.json"
    source = tmp_path / "cyc.csv"
    source.write_text(
        "event_id,event_date,event_type,actor1,country,latitude,longitude\na,2021-02-25,Battles,Army,Iraq,33.1,44.2\n",
        encoding="utf-8",
    )
    with page_on_store(browser, catalog, {"cyc": "csv"}, height=1400) as (page, url):
        stored = tmp_path / json.loads(catalog.read_text())["datasets"]["cyc"]["file"]
        stored.write_bytes(stored.read_bytes()[:500])  # cut short after the server opened it
        check_upload(page, url, source)
        page.get_by_role("button", name=re.compile("^Commit")).click(timeout=30_000)
        refused = page.get_by_text(re.compile(r"^Nothing was stored: the stored file of 'cyc' .* is damaged"))
        expect(refused).to_contain_text(
            "On this page: remove 'cyc' in \"Remove an imported dataset\" above, then commit this file again.",
            timeout=30_000,
        )
