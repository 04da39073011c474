"""The command line: ``python -m lib import | export | datasets | delete | reindex``.

    python -m lib import PATH [--format acled|ucdp|gdelt|csv] --dataset NAME [--dry-run] [--map CANON=COLUMN …]
        [--date-order day-first|month-first]
    python -m lib export [--dataset NAME] [--format csv|geojson] [--output FILE] [--from D] [--to D] [filters]
                         [--actor A …] [--attacker A …] [--target A …] [--affiliation F …] [--type T …]
                         [--country C …] [--q TEXT]
    python -m lib datasets
    python -m lib delete --dataset NAME --yes
    python -m lib reindex [--dataset NAME]

Every command honours ``SITREP_STORE``. Exit codes: 0 success, 1 the input was refused
(nothing stored) or the store or a file could not be read or written, 2 wrong usage, 141 the
reader of the output stopped reading (``| head``), as for other Unix tools. Messages for
people go to stderr, one line each, never a traceback; data to stdout or ``--output``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import stat
import sys
import time
import uuid
from pathlib import Path

from lib import docs, exports, filters, importers, queries, store
from lib.actors import Registry

NO_SIZE_LIMIT = sys.maxsize


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="Sitrep's event store from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)

    imp = commands.add_parser("import", help="validate a file and add its events to a dataset (all or nothing)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--format", choices=importers.FORMATS, help="the file's format (default: detect from the header)")
    imp.add_argument("--dataset", required=True, help="dataset name: lowercase letters, digits, '-', '_', '.'")
    imp.add_argument("--dry-run", action="store_true", help="validate and report only; store nothing")
    existing = imp.add_mutually_exclusive_group()
    existing.add_argument("--replace", action="store_true", help="make the dataset exactly this file's rows")
    existing.add_argument(
        "--update",
        action="store_true",
        help="events the dataset already holds (same event_id) take this file's values where they differ "
        "(a corrected file imported again); without it they are left as stored",
    )
    imp.add_argument("--all-cameo", action="store_true", help="GDELT: keep every CAMEO root, not only 18–20")
    imp.add_argument(
        "--date-order",
        choices=("day-first", "month-first"),
        help="how the file writes a date such as 03/04/2021, when no row shows it (every day is 1–12); "
        "default: from the rows that show it, else such a row is rejected as ambiguous",
    )
    imp.add_argument(
        "--map", action="append", default=[], metavar="CANON=COLUMN", help="plain CSV: canonical column = file column"
    )
    imp.add_argument(
        "--max-mb",
        type=int,
        help="refuse files larger than this (default: no limit; the Data page's is SITREP_MAX_UPLOAD_MB)",
    )
    imp.add_argument(
        "--licence",
        metavar="TEXT",
        help="plain table: the data's licence or terms, shown on About the data and the Data page and in "
        "GeoJSON downloads (default: kept, or 'As stated by whoever supplied the file.')",
    )

    exp = commands.add_parser("export", help="write a dataset's (filtered) canonical rows")
    exp.add_argument("--dataset", help="the dataset (default: the one the app opens with, as a link without dataset=)")
    exp.add_argument("--format", choices=("csv", "geojson"), default="csv")
    exp.add_argument("--output", type=Path, help="file to write (default: standard output)")
    exp.add_argument("--from", dest="from_", metavar="YYYY-MM-DD")
    exp.add_argument("--to", metavar="YYYY-MM-DD")
    for key in filters.LIST_KEYS:
        exp.add_argument(f"--{key}", action="append", default=[])
    exp.add_argument(
        "--q",
        help="text to find in place names, notes and actor names (or an actor by any spelling the registry knows)",
    )
    exp.add_argument("--cell", metavar="LAT,LON,SIZE", help="a map cell, as a link's cell=")
    exp.add_argument("--area", metavar="W,S,E,N", help="a map box, as in a link's area=")
    exp.add_argument("--sort", choices=tuple(queries.SORTS), default="oldest", help="row order (default: oldest)")

    commands.add_parser("datasets", help="list the datasets with row counts, dates, format and licence")
    delete = commands.add_parser("delete", help="remove an imported dataset from the store")
    delete.add_argument("--dataset", required=True)
    delete.add_argument("--yes", action="store_true", help="do it (without it, say what would be removed)")
    reindex = commands.add_parser(
        "reindex",
        help="bring datasets imported by an older Sitrep up to date from their own rows (search column, "
        "actor keys, index of words), so their searches are quick",
    )
    reindex.add_argument("--dataset", help="this dataset only (default: every imported dataset)")
    return parser


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        store.validate_dataset_name(args.dataset)
    except ValueError as exc:
        _say(f"error: {exc}")
        return 2
    mapping = {}
    for item in args.map:
        canon, _, column = item.partition("=")
        if not column:
            _say(f"error: --map takes CANON=COLUMN, got {item!r}")
            return 2
        mapping[canon.strip()] = column.strip()
    if not args.path.is_file():
        what = "a folder" if args.path.is_dir() else "not there"
        _say(f"error: {args.path} is {what}; give the path of a CSV, XLSX or GDELT file. The store is unchanged.")
        return 2
    if args.max_mb is not None and args.max_mb <= 0:
        _say(f"error: --max-mb must be a number of megabytes above 0, not {args.max_mb}.")
        return 2
    # The Data page sends files above its upload limit here: the command line has none of its own
    # (an operator's import, on the server, of a file that fits its memory: ~5x the file's size).
    max_bytes = args.max_mb * 1024 * 1024 if args.max_mb else NO_SIZE_LIMIT
    started = time.perf_counter()
    result = importers.read_file(
        args.path,
        args.format,
        dataset=args.dataset,
        mapping=mapping or None,
        max_bytes=max_bytes,
        all_cameo=args.all_cameo,
        date_order={"day-first": "dmy", "month-first": "mdy", None: None}[args.date_order],
        limit_advice=importers.OPTION_LIMIT,
    )
    report = result.report
    if report.ok and len(result.frame):  # said with the file's other warnings
        with contextlib.suppress(store.StoreError):  # a catalog that cannot be read: said below, on opening it
            report.problems += store.unknown_responses(result.frame, args.dataset, replace=args.replace)
    for line in report.lines(limit=100):
        _say(line)
    rejected = report.rejected_rows
    if not report.ok and not report.rows_read:  # refused before a row was read: no summary of 0 rows
        _say("error: the file was not imported; the store is unchanged.")
        return 1
    _say(
        f"{args.path.name}: format {_format_said(result.format)}"
        + (", read from the workbook's first sheet" if importers.is_xlsx(args.path) else "")
        + f"; rows read {report.rows_read:,}; valid {report.rows_kept:,}; "
        f"rejected {len(rejected):,}"
        + (f" (row{'s' if len(rejected) != 1 else ''} {_rows(rejected)})" if rejected else "")
    )
    if not report.ok:
        _say("error: the file was not imported; the store is unchanged.")
        return 1
    if result.frame.empty:
        if report.rows_read:
            _say(
                "error: no valid row to import: correct the rows listed above and import again; the store is unchanged."
            )
        else:
            _say("error: the file has no data rows, only its header; the store is unchanged.")
        return 1
    if args.licence is not None:
        try:
            store.validate_licence(args.licence, result.format)
        except ValueError as exc:
            _say(f"error: {filters.clause(exc)}; the store is unchanged.")
            return 1
    events = _open_store()
    if events is None:  # said: the catalog cannot be read, so nothing can be added to it
        _say("error: the file was not imported; the store is unchanged.")
        return 1
    known = {d.name: d for d in events.datasets()}
    held = known[args.dataset].rows if args.dataset in known else 0
    if args.dry_run and not args.replace and args.dataset in events.problems:
        # its file damaged or missing: the import would be refused (write_dataset), so the dry run refuses it
        why = store.stored_problem(args.dataset)
        if why:
            _say(f"error: {filters.clause(why)}; the store is unchanged.")
            return 1
    if args.dry_run:
        # what the import would do, refusals included: a dry run that passes is an import that would
        clash = store.format_clash(
            args.dataset, known[args.dataset].source_format if args.dataset in known else None, result.format
        )
        if clash and not args.replace:
            _say(f"error: {clash}: import it into another dataset (or replace this one's rows: --replace).")
            return 1
        if held and not args.replace:
            already, differ = store.compare_with_stored(result.frame, args.dataset)
            if already:
                tail = ": --update would take this file's values for them" if differ else ""
                _say(f"'{args.dataset}' already holds {already:,} of these events, {differ:,} with other values{tail}.")
            else:
                _say(f"'{args.dataset}' holds none of these events yet.")
        _say("dry run: nothing stored.")
        return 0
    by_rule = set(report.rows_left_by_rule)
    wrong = [r for r in rejected if r not in by_rule]  # rows the user can correct
    if args.replace and held and wrong:
        # the dataset would lose its events for a file some of whose rows are not imported; rows the
        # format's rules leave out (UCDP's country-level places) cannot be corrected, so they do not count
        _say(
            f"error: --replace would swap the {held:,} events of '{args.dataset}' for the {report.rows_kept:,} valid "
            f"rows of this file, leaving out its {len(wrong):,} rejected rows. Correct them and import again; "
            "the store is unchanged."
        )
        return 1

    def waiting(fraction: float, text: str) -> None:  # the store's lock, held by another process
        if text.startswith("waiting"):
            _say(f"{text}…")

    try:
        added, skipped, updated, held = store.write_dataset(
            result.frame,
            args.dataset,
            result.format,
            replace=args.replace,
            update=args.update,
            licence=args.licence,
            on_progress=waiting,
        )
    except (store.StoreError, OSError) as exc:
        _say(f"error: {filters.clause(exc)}; the store is unchanged.{store.disk_advice(exc)}")
        return 1
    took = f"in {time.perf_counter() - started:.1f} s; store {store.store_path()}"
    if args.replace and held:
        _say(
            f"replaced the {filters.count_text(held, 'event')} of '{args.dataset}' with the {added:,} of this file "
            f"{took}"
        )
    elif args.update:
        _say(
            f"imported {filters.count_text(added, 'event')} into '{args.dataset}' and updated {updated:,} with this "
            f"file's values ({skipped:,} already present and unchanged) {took}"
        )
    elif args.replace:  # nothing readable was held (a new dataset, or one whose file was damaged): none skipped
        _say(
            f"imported {filters.count_text(added, 'event')} into '{args.dataset}' (--replace; it held none that "
            f"could be read) {took}"
        )
    else:
        _say(
            f"imported {filters.count_text(added, 'event')} into '{args.dataset}' ({skipped:,} already present, "
            f"skipped) {took}"
        )
        if skipped:
            _say("To take this file's values for the events already present (a corrected file): --update.")
    if args.licence is not None:
        _say(f"licence of '{args.dataset}': {store.validate_licence(args.licence, result.format)}")
    return 0


def _rows(numbers: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f", … {len(numbers) - limit} more" if len(numbers) > limit else "")


def _open_store() -> store.Store | None:
    try:
        return store.Store()
    except store.StoreError as exc:
        _say(f"error: {exc}")
        return None


OPTION_KEYS = {"from", "to", "q", "cell", "area", *filters.LIST_KEYS}
# what the app does with a value it cannot use, which the command does not do: it stops
APP_CORRECTIONS = re.compile(r"; ignored\.$|; the two were swapped\.$| ignored(?=[:.;])")


def _as_options(notice: str) -> str:
    """A link's notice said of the command's options: ``'from=2021-02-30' is not a date (use
    YYYY-MM-DD); ignored.`` → ``--from 2021-02-30 is not a date (use YYYY-MM-DD).``"""

    def option(match: re.Match) -> str:
        key, value = match.group(1), match.group(2)
        return f"--{key} {value}" if key in OPTION_KEYS else match.group(0)

    said = re.sub(r"'(\w+)=([^']*)'", option, notice)
    said = re.sub(
        r"^Unknown (\w+) ",
        lambda m: f"--{m.group(1)}: unknown {m.group(1)} " if m.group(1) in OPTION_KEYS else m.group(0),
        said,
    )
    return APP_CORRECTIONS.sub(lambda m: "." if m.group(0).endswith(".") else "", said)


def cmd_export(args: argparse.Namespace) -> int:
    events = _open_store()
    if events is None:
        return 1
    args.dataset = args.dataset or events.default_dataset
    if args.dataset not in [d.name for d in events.datasets()] and args.dataset in events.problems:
        _say(f"error: the dataset {args.dataset!r} cannot be exported: {events.problems[args.dataset]}")
        return 1
    if args.dataset not in [d.name for d in events.datasets()]:
        _say(
            f"error: unknown dataset {args.dataset!r}{_did_you_mean(args.dataset, events)}; "
            "`python -m lib datasets` lists them."
        )
        return 2
    registry = Registry.from_csv()
    facet = queries.facets(events, args.dataset, registry)
    vocab = queries.vocabulary(events, args.dataset, registry, facet)
    params = {key: getattr(args, key) for key in filters.LIST_KEYS}
    params.update(
        {"dataset": [args.dataset], "from": [args.from_] if args.from_ else [], "to": [args.to] if args.to else []}
    )
    params["q"] = [args.q] if args.q else []
    params["cell"] = [args.cell] if args.cell else []
    params["area"] = [args.area] if args.area else []
    state, notices = filters.from_query(params, vocab)
    if notices:
        for notice in notices:
            _say(f"error: {_as_options(notice)}")
        # the notices are the app's, which corrects a link and says how ("ignored", "swapped"); a
        # command run by a script must not export something other than what it asked for
        _say(
            "error: nothing was exported: correct or drop the options above (the command does not guess, "
            "where the app drops such values from a link and says so)."
        )
        return 2
    state = state.with_(dataset=args.dataset)
    batches = queries.iter_batches(events, state, registry, sort=args.sort)
    # the view in words, as the page's sentence says it (the link back needs the server's address,
    # which a command does not know: the filters are the link's query)
    about = exports.provenance_now(events, state, registry)

    def write(out) -> int:
        return (
            exports.write_geojson(batches, out, about) if args.format == "geojson" else exports.write_csv(batches, out)
        )

    if args.output:
        try:
            rows = _write_file(args.output, write)
        except OSError as exc:
            why = "it is a folder" if args.output.is_dir() else (exc.strerror or str(exc)).lower()
            advice = (
                "Free some space on its disk, or give a file on another"
                if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                else "Give a file in a folder you may write"
            )
            _say(f"error: cannot write {args.output}: {why}. {advice}; nothing exported.")
            return 1
    else:
        try:
            sys.stdout.flush()
            rows = write(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # its reader stopped reading (| head): main ends quietly
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            _say(
                f"error: cannot write to standard output: {why}; what it holds is incomplete. "
                + ("Free some space, or write" if full else "Write")
                + " the export to a file with --output FILE."
            )
            return 1
    info = events.info(args.dataset)
    _say(f"exported {filters.count_text(rows, 'event')} of '{args.dataset}' as {args.format}. {info.licence}")
    return 0


def _write_file(target: Path, write) -> int:
    """``write(out)`` into the file ``target``, whole or not at all: written to a temporary file
    beside it, given its name at the end (a full disk left a partial file named as the export,
    said "nothing exported"). A target that is not a regular file (``/dev/null``, a named pipe)
    is written in place: a rename would replace it."""
    if target.exists() and not target.is_file():
        with open(target, "wb") as out:
            return write(out)
    if target.is_symlink():  # the file it points to is replaced, not the link
        target = target.resolve()
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    # made as open() makes a file (the umask applies), or with the permissions of the one it replaces
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except PermissionError:  # a file given to write in a folder one may not add to: in place, as before
        if not (target.is_file() and os.access(target, os.W_OK)):
            raise
        with open(target, "wb") as out:
            return write(out)
    try:
        with open(fd, "wb") as out:
            rows = write(out)
        if target.exists():
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return rows


def _did_you_mean(name: str, events: store.Store) -> str:
    near = filters.nearest(name, [info.name for info in events.datasets()])
    return f" (did you mean {near!r}?)" if near else ""


def _format_said(source_format: str) -> str:
    """A format as the app names it, with the name ``--format`` takes when that differs:
    "ACLED (--format acled)", "plain-table (--format csv)"."""
    if source_format not in importers.FORMATS:
        return store.format_name(source_format)
    return f"{store.format_name(source_format)} (--format {source_format})"


def cmd_datasets(_: argparse.Namespace) -> int:
    events = _open_store()
    if events is None:
        return 1
    # formats named as the app's About and Data pages name them (ACLED, UCDP GED, plain-table)
    print(f"{'dataset':<28} {'events':>10}  {'first':<10}  {'last':<10}  {'format':<11}  licence")
    for info in events.datasets():
        print(
            f"{info.name:<28} {info.rows:>10,}  {info.min_date or '':<10}  {info.max_date or '':<10}  "
            f"{store.format_name(info.source_format):<11}  {info.licence}"
        )
    for text in docs.problem_texts(events.problems, (info.name for info in events.datasets())):
        _say(f"warning: {text}")
    _say(f"store: {store.store_path()}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    events = _open_store()
    if events is None:
        return 1
    known = {info.name: info for info in events.datasets()}
    info = known.get(args.dataset)
    if info is None and args.dataset in events.problems:  # named by the catalog, its file damaged or lost
        return _delete_unreadable(args, events.problems[args.dataset])
    if info is None and store.leftover_files(args.dataset):  # an import killed before the catalog named it
        return _delete_leftovers(args)
    if info is None:
        _say(
            f"error: unknown dataset {args.dataset!r}{_did_you_mean(args.dataset, events)}; "
            "`python -m lib datasets` lists them."
        )
        return 2
    if info.shipped:
        _say(f"error: '{args.dataset}' is the shipped dataset (data/); it cannot be deleted from the store.")
        return 2
    if not args.yes:
        held = filters.count_text(info.rows, "event")
        _say(f"would delete '{args.dataset}' ({held}, imported {info.imported_at or '?'}); add --yes to do it.")
        return 0
    rows = _delete(args.dataset)
    if rows is None:
        return 1
    _say(
        f"deleted '{args.dataset}' ({filters.count_text(rows, 'event')}). Links to it now open the default dataset "
        "with a notice."
    )
    return 0


def _delete_leftovers(args: argparse.Namespace) -> int:
    """Delete the files an import of a dataset left when it was killed before the catalog named
    them: rows (an ACLED file's, perhaps) that no dataset shows and nothing else removes."""
    found = store.leftover_files(args.dataset)
    what = f"{len(found)} file{'s' if len(found) != 1 else ''} ({', '.join(p.name for p in found[:3])}"
    what += ", …)" if len(found) > 3 else ")"
    if not args.yes:
        _say(
            f"no dataset '{args.dataset}' is in the store, but an import of it that did not finish left {what}; "
            "add --yes to delete them."
        )
        return 0
    try:
        gone = store.remove_leftovers(args.dataset)
    except (store.StoreError, OSError) as exc:
        _say(f"error: {filters.clause(exc)}; the store is unchanged.")
        return 1
    _say(f"deleted {gone} file{'s' if gone != 1 else ''} an import of '{args.dataset}' left when it did not finish.")
    return 0


def _delete_unreadable(args: argparse.Namespace, problem: str) -> int:
    """Delete a dataset the catalog names and the store cannot show (its file damaged or
    missing): the way out its problem advises."""
    if not args.yes:
        _say(f"would delete '{args.dataset}', which cannot be shown: {problem} Add --yes to do it.")
        return 0
    if _delete(args.dataset) is None:
        return 1
    _say(f"deleted '{args.dataset}' and what was left of its files. Links to it now open the default dataset.")
    return 0


def _delete(dataset: str) -> int | None:
    """Remove ``dataset`` from the store: the events it held then, or None (said) if that could not be done."""
    try:
        rows = store.delete_dataset(dataset, waiting=lambda: _say("waiting for another import or delete in this store "
                                                                  "to finish…"))  # fmt: skip
        if rows is not None:
            return rows
        _say(f"error: '{dataset}' was removed meanwhile (another process?); `python -m lib datasets` lists them.")
    except (store.StoreError, OSError) as exc:
        _say(f"error: {filters.clause(exc)}; the store is unchanged.{store.disk_advice(exc)}")
    return None


def cmd_reindex(args: argparse.Namespace) -> int:
    events = _open_store()
    if events is None:
        return 1
    imported = [info.name for info in events.datasets() if not info.shipped]
    unreadable = sorted(set(events.problems) - set(imported))  # their files damaged or missing
    if args.dataset in unreadable or (args.dataset is None and unreadable):
        for name in [args.dataset] if args.dataset else unreadable:
            _say(f"error: '{name}' cannot be reindexed: {events.problems[name]}")
        if args.dataset:
            return 1
    if args.dataset is not None and args.dataset not in imported:
        shipped = args.dataset in store.shipped_dataset_names()
        known = "the shipped dataset (data/), which is always current" if shipped else "not a dataset of this store"
        _say(f"error: '{args.dataset}' is {known}; `python -m lib datasets` lists them.")
        return 2
    done = {
        "current": "already current",
        "indexed": "its words indexed",
        "rewritten": "its file made again from its rows",
    }
    failed = 0
    for name in [args.dataset] if args.dataset else imported:
        started = time.perf_counter()
        try:
            what = store.index_dataset(name)
        except (store.StoreError, OSError) as exc:
            _say(f"error: {name}: {exc}; the dataset is as it was.")
            failed += 1
            continue
        _say(f"{name}: {done[what]} ({time.perf_counter() - started:.1f} s)")
    if not imported and not unreadable:
        _say("no imported dataset in this store; nothing to do.")
    return 1 if failed or unreadable else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "import": cmd_import,
        "export": cmd_export,
        "datasets": cmd_datasets,
        "delete": cmd_delete,
        "reindex": cmd_reindex,
    }
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # the reader of the output stopped (| head): not an error of the command
        _quiet_stdout()
        return 128 + 13  # as a tool killed by SIGPIPE
    except store.StoreError as exc:
        _say(f"error: {exc}")
        return 1
    except OSError as exc:  # the last resort: a line saying what failed and where, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        _say(
            f"error: {args.command} failed: {(exc.strerror or str(exc)).lower()}{where}. Check that the store "
            "(SITREP_STORE) and the files named can be read and written, and the disk's free space; then run it again."
        )
        return 1


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that what Python still holds for it is not written
    at exit (a second BrokenPipeError, "Exception ignored …"): Python's documented way (signal)."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
