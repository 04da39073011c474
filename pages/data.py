"""Data: the datasets in the store; upload a file, check it, preview it, commit it."""

import tempfile
from pathlib import Path

import plotly.io as pio
import streamlit as st

from lib import config, docs, filters, importers, mapchart, permissions, session, store, views

events = session.get_store()
session.heading("Data")
st.header("Datasets in the store")
st.space("small")  # the table's toolbar shows above its top edge: clear of the caption
st.dataframe(
    docs.dataset_table(events.datasets()),
    hide_index=True,
    column_config={"events": st.column_config.NumberColumn(format="localized")},  # 100,005
)
for info in events.datasets():
    st.caption(f"**{views.md_escape(info.name)}** — {views.md_escape(info.licence)}")
for text in docs.problem_texts(events.problems, (info.name for info in events.datasets())):
    st.warning(views.md_escape(text), icon=":material/warning:")


def _may_change_the_store() -> tuple[bool, str]:
    """Whether this user may commit to (or remove from) the shared store, and if not, why."""
    return permissions.can_commit(
        config.get("SITREP_ALLOW_UPLOAD"),
        st.context.headers.get("Host"),
        getattr(st.user, "email", None) if st.user.get("is_logged_in") else None,
        config.get("SITREP_EDITORS"),
    )


def _remove(doomed: str, rows: int | None) -> None:
    """Remove a dataset (a callback, so the sidebar may still change): whoever removes the dataset
    they are viewing goes to the default one, without the notice meant for others."""
    try:
        held = store.delete_dataset(doomed)
    except (store.StoreError, OSError) as exc:  # a full disk, a store this user may not change
        st.session_state["delete_failed"] = (
            f"'{doomed}' was not removed: {filters.clause(exc)}; the store is unchanged.{store.disk_advice(exc)}"
        )
        return
    events.refresh()
    # (name, the events it held under the store's lock, or None for one that could not be read;
    # whether someone else removed it first: the command line, another session)
    st.session_state["deleted"] = (doomed, None if held is None or rows is None else held, held is None)
    if st.session_state.get(session.widget_key("dataset")) == doomed:
        session.reset_filters(events.default_dataset)


imported = [info for info in events.datasets() if not info.shipped]
unreadable = sorted(set(events.problems) - {info.name for info in imported})  # removable too
if imported or unreadable:
    with st.expander("Remove an imported dataset"):
        allowed, reason = _may_change_the_store()
        if not allowed:
            st.info(reason)
        else:
            rows = {info.name: info.rows for info in imported} | dict.fromkeys(unreadable)
            doomed = st.selectbox("Dataset to remove", list(rows), key="delete_name")
            what = "events" if rows[doomed] is None else filters.count_text(rows[doomed], "event")
            sure = st.checkbox(
                f"Remove '{doomed}' and its {what} from the store for everyone "
                "(links to it will open the default dataset, with a notice)",
                key=f"delete_sure_{doomed}",
            )
            st.button(
                "Remove the dataset",
                icon=":material/delete:",
                disabled=not sure,
                on_click=_remove,
                args=(doomed, rows[doomed]),
            )
gone = st.session_state.pop("deleted", None)
failed = st.session_state.pop("delete_failed", None)
if failed:
    st.error(failed, icon=":material/error:")
elif gone and gone[2]:
    st.info(f"'{gone[0]}' had already been removed from the store (by someone else, or the command line).")
elif gone:
    held = "" if gone[1] is None else f" ({filters.count_text(gone[1], 'event')})"
    st.success(f"Removed '{gone[0]}'{held} from the store, and its files from the disk.")

st.header("Import a file")
limit_mb = config.get("SITREP_MAX_UPLOAD_MB")
st.markdown(
    f"ACLED (CSV/XLSX, any era), UCDP GED (CSV), GDELT 1.0/2.0 event files, or a CSV/XLSX with the canonical "
    f"columns (see About the data); a .zip or .gz of one such file too. Up to {limit_mb} MB; larger files: "
    "`python -m lib import`."
)
# a zip or gzip of one such file too: GDELT publishes its event files as *.export.CSV.zip
upload = st.file_uploader("File", type=["csv", "tsv", "txt", "xlsx", "zip", "gz"], key="upload_file")
left, right = st.columns(2)
fmt = left.selectbox(
    "Format",
    ["detect", *importers.FORMATS],
    format_func=lambda f: "detect from the header" if f == "detect" else importers.FORMAT_LABELS[f],
    key="upload_format",
)
default_name = store.suggest_dataset_name(upload.name) if upload else ""
# one box, its name suggested anew when another file is chosen (a box keyed by the suggestion
# was a new widget: for a moment the page held the old box and the new one)
if st.session_state.get("upload_named_for") != default_name or "upload_name" not in st.session_state:
    st.session_state["upload_named_for"] = default_name
    st.session_state["upload_name"] = default_name
name = right.text_input("Dataset name", key="upload_name")
date_order = st.radio(
    "Dates such as 03/04/2021",
    [None, "dmy", "mdy"],
    format_func=lambda o: {None: "from the file's rows", "dmy": "day first", "mdy": "month first"}[o],
    horizontal=True,
    key="upload_date_order",
    help="Most files show their order in a row whose day is over 12 (25/02/2021). When none does, "
    "say it here; else such dates are rejected as ambiguous, never guessed.",
)
all_cameo = st.checkbox(
    "Keep every CAMEO code (GDELT files)",
    key="upload_all_cameo",
    help="By default a GDELT file gives its material conflict only (CAMEO roots 18 assault, 19 fight and 20 "
    "mass violence). Ticked, it gives every event: protests, statements, visits… typed as the codebook says.",
)
mapping_text = st.text_area(
    "Column mapping for a plain CSV (optional, one `canonical=your column` per line)", key="upload_mapping", height=80
)

settings = (name, fmt, mapping_text, date_order, all_cameo)  # what a check was made with
if upload is not None and st.button("Check the file", icon=":material/fact_check:"):
    mapping = importers.parse_mapping(mapping_text)
    unread = importers.unread_mapping_message(mapping_text)
    if unread:
        st.error(unread)
        st.stop()
    try:
        store.validate_dataset_name(name)
        if name in store.shipped_dataset_names():  # said now, not after the check, at Commit
            raise ValueError(f"'{name}' is the shipped dataset's name; choose another name for this file.")
    except ValueError as exc:
        st.error(str(exc))
        st.stop()
    with tempfile.TemporaryDirectory() as folder, st.spinner("Reading and checking…"):
        path = Path(folder) / importers.local_file_name(upload.name)
        path.write_bytes(upload.getbuffer())
        result = importers.read_file(
            path,
            None if fmt == "detect" else fmt,
            dataset=name,
            mapping=mapping or None,
            max_bytes=config.max_upload_bytes(),
            date_order=date_order,
            all_cameo=all_cameo,
        )
    if result.report.ok and len(result.frame):  # listed with the file's other warnings
        result.report.problems += store.unknown_responses(result.frame, name)
    st.session_state["upload_result"] = (upload.file_id, settings, result)
    session.release_memory()  # the file's text and the frames it was read through

checked = st.session_state.get("upload_result")
if checked and upload is not None and checked[0] == upload.file_id and checked[1] != settings:
    # the check was of other settings: its counts, preview and Commit button would be for them
    st.info(
        "The dataset name, the format, the date order, the CAMEO codes kept or the column mapping changed since "
        "the file was checked: "
        "check the file again.",
        icon=":material/refresh:",
    )
elif checked and upload is not None and checked[0] == upload.file_id:
    _, (name, *_), result = checked
    report = result.report
    a, b, c = st.columns(3)
    a.metric("Rows read", f"{report.rows_read:,}")
    b.metric("Valid", f"{report.rows_kept:,}")
    c.metric("Rejected", f"{len(report.rejected_rows):,}")
    if not report.ok:
        st.error("This file cannot be imported: " + " ".join(str(p) for p in report.file_errors))
    for note in report.notes:  # what the import does besides, e.g. the ACLED columns it does not keep
        st.caption(f":material/info: {note}")
    if report.problems:
        about_file = views.file_warnings(report)  # said here: in the table their row cells read "None"
        if about_file:
            st.warning("\n".join(f"- {views.md_escape(text)}" for text in about_file), icon=":material/warning:")
        by_row = views.problems_table(report, rows_only=True)
        if len(by_row):
            st.dataframe(
                by_row,
                hide_index=True,
                column_config={"problem": st.column_config.TextColumn("problem", width="large")},
            )
        st.download_button(
            f"Download the {views.problems_count_text(report)} (CSV)",
            data=lambda: views.problems_csv(report),  # written when asked for, not on every rerun
            file_name=f"{Path(upload.name).stem}-problems.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )
    if report.ok and not len(result.frame):
        st.warning(
            "Nothing to commit: the file has no valid row. "
            + (
                "Correct the rows listed above and check the file again."
                if report.rows_read
                else "It has no data rows."
            )
        )
    if report.ok and len(result.frame):
        st.markdown(
            f"Format **{importers.FORMAT_LABELS[result.format]}**"
            + (", read from the workbook's first sheet" if importers.is_xlsx(Path(upload.name)) else "")
            + ". Preview of the valid rows (at most 10,000 drawn):"
        )
        preview = views.preview_map(result.frame, 10_000, *mapchart.background(config.get("SITREP_TILES")))
        # The Map page's map: its key draws rings for unknown casualties, its borders and names.
        mapchart.map_chart(
            pio.to_json(preview, validate=False),
            {"label": "Map: a preview of the file's valid events, before they are stored"},
            key="upload_preview",
        )
        allowed, reason = _may_change_the_store()
        held = {info.name: info.source_format for info in events.datasets()}.get(name)
        clash = store.format_clash(name, held, result.format)
        if not allowed:
            st.info(reason)
        elif clash:  # said at the check, not after Commit
            st.error(
                f"{clash}: one dataset holds one format (its licence note comes from it). Give this file "
                "another dataset name above and check it again."
            )
        else:
            # A corrected file imported again: say which of its events the dataset holds, and let the
            # user take this file's values for those that differ (else they stay as stored).
            update = False
            already, differ = 0, 0
            if held:  # read the stored dataset once per file checked and version stored, not every rerun
                basis = (checked[0], name, events.info(name).fingerprint)
                cached = st.session_state.get("upload_compare")
                if not cached or cached[0] != basis:
                    cached = (basis, store.compare_with_stored(result.frame, name))
                    st.session_state["upload_compare"] = cached
                already, differ = cached[1]
            if already:
                st.info(
                    f"'{name}' already holds {already:,} of these events (same event_id); "
                    + (
                        f"{differ:,} of them with other values here (a correction?)."
                        if differ
                        else "they match this file, so committing leaves them as they are."
                    ),
                    icon=":material/difference:",
                )
                if differ:
                    update = st.checkbox(
                        f"Update the {differ:,} stored event{'s' if differ != 1 else ''} with this file's values",
                        key="upload_update",
                        help="Without it, events already stored are left as they are and only new ones are added.",
                    )
        label = None
        licence = None  # a plain table's terms, stated by whoever imports it
        if allowed and not clash and result.format == "csv":
            stored = events.info(name).licence if held == "csv" else store.LICENCES["csv"]
            typed = st.text_input(
                "Licence or terms of use of this data",
                value="" if stored == store.LICENCES["csv"] else stored,
                placeholder=store.LICENCES["csv"],
                key=f"upload_licence_{name}",
                help="Shown with the dataset on About the data and in every GeoJSON download, e.g. "
                "'CC BY 4.0: cite Example Monitor (example.org)'. Empty: "
                f"'{store.LICENCES['csv']}' The events' own sources stay in their rows.",
            )
            if typed.strip():
                try:
                    licence = store.validate_licence(typed, "csv")
                except ValueError as exc:
                    st.error(f"The licence cannot be stored: {exc}.")
                    allowed = False
            else:  # emptied: back to the default note
                licence = store.LICENCES["csv"]
            if licence == stored:
                licence = None  # as stored: nothing to change
        if allowed and not clash:
            label = views.commit_label(name, len(result.frame), already, differ, update, licence is not None)
            if label is None:
                st.info(
                    f"Nothing to commit: '{name}' already holds every event of this file"
                    + (", and none is to be updated." if differ else ", with the same values."),
                    icon=":material/check:",
                )
        if label and st.button(label, type="primary", icon=":material/save:"):
            bar = st.progress(0.0, text="Starting…")
            try:
                added, skipped, updated, _ = store.write_dataset(
                    result.frame,
                    name,
                    result.format,
                    on_progress=lambda f, text: bar.progress(f, text=text),
                    update=update,
                    licence=licence,
                )
            except (store.StoreError, OSError) as exc:
                bar.empty()
                st.error(docs.commit_refused(exc, name, unreadable=name in events.problems))
            else:
                del st.session_state["upload_result"]
                del result, checked
                session.release_memory()  # the checked rows, now in the store
                events.refresh()
                st.session_state.pop("fingerprint_shown", None)  # this session's own import: said here, not as news
                st.session_state["upload_done"] = (name, added, skipped, updated, licence)
                st.rerun()

done = st.session_state.get("upload_done")
if done:
    updated = f", {done[3]:,} updated with this file's values" if done[3] else ""
    kept = f" ({done[2]:,} {'was' if done[2] == 1 else 'were'} already there, left as stored)" if done[2] else ""
    terms = f" Its licence is now: {views.md_escape(done[4])}" if done[4] else ""
    st.success(f"Added {filters.count_text(done[1], 'event')} to '{done[0]}'{updated}{kept}.{terms}")

    # reset_filters runs as a callback: widget state may change only before the widgets exist
    if st.button(
        f"Open '{done[0]}' on the map", icon=":material/map:", on_click=session.reset_filters, args=(done[0],)
    ):
        st.session_state.pop("upload_done", None)
        session.switch_page("pages/map.py")  # keeps the dataset the callback chose (st.switch_page resets widgets)
