"""The benchmark generator's CSV: a synthetic file the import reads whole, marked synthetic."""

from benchmarks.generate import generate, write_csv
from lib.importers import read_file


def test_the_generators_csv_imports_whole_and_every_row_says_it_is_synthetic(tmp_path):
    path = tmp_path / "synthetic-500.csv"
    write_csv(generate(500, dataset="synthetic-500"), path)
    result = read_file(path, dataset="synthetic-500")
    assert result.format == "csv" and result.report.ok
    assert result.report.rows_read == result.report.rows_kept == 500, result.report.lines()
    assert result.frame["notes"].str.startswith("SYNTHETIC").all()
    assert result.frame["fatalities"].isna().any()  # unknown stays empty through the file, not 0
