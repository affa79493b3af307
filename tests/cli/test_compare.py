"""``artifact-ml compare``: report files, values read back, one-line errors, and a browser check."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artifact_ml.cli.main import main
from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)

CHROMIUM = Path("/usr/bin/chromium")


def write_tables(folder: Path) -> tuple[Path, Path]:
    generator = np.random.default_rng(5)
    rows = 80
    real = pd.DataFrame(
        {
            "age": generator.integers(18, 90, rows),
            "income": generator.lognormal(10, 1, rows),
            "job": generator.choice(["clerk", "nurse", "?"], rows),
            "code": generator.integers(0, 3, rows),
        }
    )
    synthetic = real.sample(frac=1.0, replace=True, random_state=2).reset_index(drop=True)
    synthetic["income"] = synthetic["income"] * 1.1
    synthetic.loc[0, "job"] = "pilot/driver"
    real_path = folder / "real.csv"
    synthetic_path = folder / "synthetic.csv"
    real.to_csv(real_path, index=False)
    synthetic.to_csv(synthetic_path, index=False)
    return real_path, synthetic_path


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    real_path, synthetic_path = write_tables(folder)
    status = main(
        [
            "compare",
            str(real_path),
            str(synthetic_path),
            "--categorical",
            "code",
            "--output-dir",
            str(folder / "report"),
        ]
    )
    assert status == 0
    return folder / "report"


def test_report_scores_match_engine(report_dir: Path) -> None:
    folder = report_dir.parent
    real = pd.read_csv(folder / "real.csv")
    synthetic = pd.read_csv(folder / "synthetic.csv")
    spec = TabularDataSpec.from_df(real, cat_features=["code"])
    engine = TableComparisonEngine.build(resource_spec=spec)

    scores = json.loads((report_dir / "scores.json").read_text())
    js = pd.read_csv(report_dir / "score_collections" / "js_distance.csv")

    for score_type in TableComparisonScoreType:
        expected = engine.compute_score(score_type, real_data=real, synthetic_data=synthetic)
        assert scores[score_type.value] == pytest.approx(expected)
    expected_js = engine.compute_score_collection(
        TableComparisonScoreCollectionType.JS_DISTANCE, real_data=real, synthetic_data=synthetic
    )
    assert dict(zip(js["feature"], js["value"], strict=True)) == pytest.approx(expected_js)


def test_report_statistics_match_pandas(report_dir: Path) -> None:
    folder = report_dir.parent
    real = pd.read_csv(folder / "real.csv")
    synthetic = pd.read_csv(folder / "synthetic.csv")

    means = pd.read_csv(report_dir / "array_collections" / "mean.csv").set_index("feature")
    arrays = json.loads((report_dir / "array_collections.json").read_text())

    assert list(means.index) == ["age", "income"]
    assert means.loc["income", "real"] == pytest.approx(real["income"].mean())
    assert means.loc["income", "synthetic"] == pytest.approx(synthetic["income"].mean())
    assert arrays["max"]["age"] == [real["age"].max(), synthetic["age"].max()]


def test_report_writes_every_image(report_dir: Path) -> None:
    plots = sorted(path.name for path in (report_dir / "plots").glob("*.png"))
    pdf_keys = sorted(path.stem for path in (report_dir / "plot_collections" / "pdf").glob("*.png"))
    index = (report_dir / "index.html").read_text()

    assert len(plots) == 15
    assert pdf_keys == ["age", "code", "income", "job"]
    assert index.count("<img ") == 15 + 4 + 2 + 3
    for path in report_dir.rglob("*.png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_thousands_separator_reads_numbers(tmp_path: Path) -> None:
    incomes = [1234 + 1000 * row for row in range(30)]
    lines = ["income,city"] + [
        f'"{income:,}",{"ab"[row % 2]}' for row, income in enumerate(incomes)
    ]
    real_path = tmp_path / "real.csv"
    real_path.write_text("\n".join(lines) + "\n")
    output = tmp_path / "report"

    status = main(
        ["compare", str(real_path), str(real_path), "--thousands", ",", "--output-dir", str(output)]
    )

    means = pd.read_csv(output / "array_collections" / "mean.csv").set_index("feature")
    assert status == 0
    assert list(means.index) == ["income"]
    assert means.loc["income", "real"] == pytest.approx(np.mean(incomes))


def test_missing_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_path, _ = write_tables(tmp_path)

    status = main(["compare", str(real_path), str(tmp_path / "absent.csv")])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    assert error.startswith("artifact-ml: error: synthetic table not found:")


def test_missing_column_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    pd.read_csv(synthetic_path).drop(columns=["job"]).to_csv(synthetic_path, index=False)

    output = tmp_path / "report"

    status = main(["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    assert "synthetic table is missing column(s) ['job']" in error
    assert not output.exists()


def test_unknown_categorical_column_is_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)

    status = main(["compare", str(real_path), str(synthetic_path), "--categorical", "salary"])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert "--categorical names column(s) ['salary']" in error


def test_misnamed_gzip_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    misnamed = real_path.rename(tmp_path / "real.csv.gz")

    status = main(["compare", str(misnamed), str(synthetic_path)])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    assert error.startswith(f"artifact-ml: error: cannot read the real table {misnamed} as CSV")


def test_folder_as_table_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, synthetic_path = write_tables(tmp_path)

    status = main(["compare", str(tmp_path), str(synthetic_path)])

    error = capsys.readouterr().err.strip()
    assert status == 2
    expected = f"the real table {tmp_path} is a folder; pass the path of a CSV file."
    assert error == f"artifact-ml: error: {expected}"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin")
def test_index_images_load_in_chromium(report_dir: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            page.goto((report_dir / "index.html").resolve().as_uri())
            page.wait_for_load_state("load")
            # Lazy images load once scrolled into view, so scroll through each one.
            images = page.locator("img")
            count = images.count()
            for position in range(count):
                images.nth(position).scroll_into_view_if_needed()
            page.wait_for_function(
                "Array.from(document.images).every(image => image.complete)", timeout=30000
            )
            widths = page.evaluate("Array.from(document.images).map(image => image.naturalWidth)")
            title = page.title()
        finally:
            browser.close()

    assert title == "Table comparison report"
    assert count == 24
    assert len(widths) == 24
    assert all(width > 0 for width in widths)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    status = main(argv)
    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    return error


def test_pandas_missing_tokens_stay_categories(tmp_path: Path) -> None:
    from artifact_ml.cli.compare import _read_table

    path = tmp_path / "countries.csv"
    path.write_text("country,size\nNA,1\nNone,2\nnull,3\n,4\n?,5\n")

    options = argparse.Namespace(sep=",", thousands=None, decimal=".")
    table = _read_table(path, "real", options, ("?",))

    assert table["country"].tolist()[:3] == ["NA", "None", "null"]
    assert table["country"].isna().tolist() == [False, False, False, True, True]


def test_negative_seed_rejected_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    output = tmp_path / "report"

    arguments = [str(real_path), str(synthetic_path), "--seed", "-1", "--output-dir", str(output)]

    error = one_line_error(capsys, ["compare", *arguments])

    assert "--seed must be between 0 and 4294967295" in error
    assert not output.exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_file_as_output_dir_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    existing_file = tmp_path / "taken"
    existing_file.write_text("keep")

    error = one_line_error(
        capsys, ["compare", str(real_path), str(synthetic_path), "--output-dir", str(existing_file)]
    )

    assert f"The report folder {existing_file} is a file; pass a new or empty folder" in error
    assert existing_file.read_text() == "keep"


def test_folder_with_other_files_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep")

    error = one_line_error(
        capsys, ["compare", str(real_path), str(synthetic_path), "--output-dir", str(other)]
    )

    assert "contains files but no .artifact-ml-report file" in error
    assert [path.name for path in other.iterdir()] == ["notes.txt"]
    assert (other / "notes.txt").read_text() == "keep"


def test_rerun_replaces_earlier_report(tmp_path: Path) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    output = tmp_path / "report"
    assert main(["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)]) == 0
    assert (output / "plot_collections" / "pdf" / "job.png").is_file()
    for path in (real_path, synthetic_path):
        pd.read_csv(path).drop(columns=["job"]).to_csv(path, index=False)

    status = main(["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)])

    pdf_keys = sorted(path.stem for path in (output / "plot_collections" / "pdf").glob("*.png"))
    assert status == 0
    assert pdf_keys == ["age", "code", "income"]
    assert f"{real_path}," in (output / "index.html").read_text()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "real.csv",
        "report",
        "synthetic.csv",
    ]


def test_rerun_removes_folders_of_killed_runs(tmp_path: Path) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    abandoned = [f".report.partial-{ended.pid}-0a1b2c", f".report.old-{ended.pid}-3d4e5f"]
    kept = [f".report.partial-{os.getpid()}-6a7b8c", ".report.partial-notes"]
    for name in abandoned + kept:
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("<html></html>")

    status = main(
        ["compare", str(real_path), str(synthetic_path), "--output-dir", str(tmp_path / "report")]
    )

    assert status == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*kept, "real.csv", "report", "synthetic.csv"]
    )


def test_cli_errors_name_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    table = pd.read_csv(synthetic_path)
    table["income"] = table["income"].astype(object)
    table.loc[0, "income"] = "forty"
    text_path = tmp_path / "text.csv"
    table.to_csv(text_path, index=False)
    semicolon_path = tmp_path / "semicolon.csv"
    pd.read_csv(synthetic_path).to_csv(semicolon_path, index=False, sep=";")

    text_error = one_line_error(
        capsys, ["compare", str(real_path), str(text_path), "--continuous", "income"]
    )
    columns_error = one_line_error(capsys, ["compare", str(real_path), str(semicolon_path)])

    assert "'forty'" in text_error
    assert "list them in --missing-values" in text_error
    assert f"the synthetic table {semicolon_path} reads as one column named" in columns_error
    assert columns_error.endswith("it looks separated by ';', not ','; pass --sep ';'.")


def test_semicolon_separator(tmp_path: Path) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    for path in (real_path, synthetic_path):
        pd.read_csv(path).to_csv(path, index=False, sep=";")
    output = tmp_path / "report"

    status = main(
        ["compare", str(real_path), str(synthetic_path), "--sep", ";", "--output-dir", str(output)]
    )

    means = pd.read_csv(output / "array_collections" / "mean.csv").set_index("feature")
    assert status == 0
    expected = pd.read_csv(real_path, sep=";")["income"].mean()
    assert means.loc["income", "real"] == pytest.approx(expected)


def test_report_folder_honours_umask(tmp_path: Path) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    output = tmp_path / "report"
    previous = os.umask(0o022)
    try:
        status = main(["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)])
    finally:
        os.umask(previous)

    assert status == 0
    assert output.stat().st_mode & 0o777 == 0o755
    assert (output / "plots").stat().st_mode & 0o777 == 0o755


def test_site_with_index_html_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    site = tmp_path / "site"
    (site / "plots").mkdir(parents=True)
    (site / "index.html").write_text("<html>my site</html>")
    (site / "plots" / "mine.png").write_bytes(b"mine")

    error = one_line_error(
        capsys, ["compare", str(real_path), str(synthetic_path), "--output-dir", str(site)]
    )

    assert "not an earlier report" in error
    assert (site / "index.html").read_text() == "<html>my site</html>"
    assert (site / "plots" / "mine.png").read_bytes() == b"mine"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--sep", ""], "--sep must be one character, got ''"),
        (["--thousands", "."], "--thousands must be one character other than the decimal mark"),
        (["--output-dir", "."], "is the current folder or contains it; pass a subfolder"),
    ],
    ids=["empty_sep", "dot_thousands", "current_folder"],
)
def test_bad_options_rejected_up_front(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    message: str,
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    error = one_line_error(capsys, ["compare", str(real_path), str(synthetic_path), *options])

    assert message in error
    assert list(work.iterdir()) == []


def test_input_inside_output_dir_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "report"
    output.mkdir()
    real_path, synthetic_path = write_tables(output)

    error = one_line_error(
        capsys, ["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)]
    )

    assert f"the real table {real_path} is inside --output-dir {output}" in error
    assert real_path.is_file()
    assert synthetic_path.is_file()


def test_thousands_without_option_is_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    table = pd.read_csv(synthetic_path)
    table["income"] = [f"{1000 + value:,.0f}" for value in table["income"]]
    table.to_csv(synthetic_path, index=False)
    output = tmp_path / "report"

    error = one_line_error(
        capsys, ["compare", str(real_path), str(synthetic_path), "--output-dir", str(output)]
    )

    assert "column 'income' of the synthetic table contains numbers written with ','" in error
    assert error.endswith("pass --thousands ','.")
    assert not output.exists()


def test_european_csv_needs_sep_and_decimal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    for path in (real_path, synthetic_path):
        pd.read_csv(path).to_csv(path, index=False, sep=";", decimal=",")
    output = tmp_path / "report"
    arguments = [str(real_path), str(synthetic_path), "--output-dir", str(output)]

    sep_error = one_line_error(capsys, ["compare", *arguments])
    decimal_error = one_line_error(
        capsys, ["compare", *arguments, "--sep", ";", "--continuous", "income"]
    )
    status = main(["compare", *arguments, "--sep", ";", "--decimal", ","])

    assert sep_error.endswith("separated by ';', not ','; pass --sep ';'.")
    assert "column 'income' of the real table contains numbers written with a decimal comma" in (
        decimal_error
    )
    assert decimal_error.endswith("pass --decimal ','.")
    assert status == 0
    expected = pd.read_csv(real_path, sep=";", decimal=",")["income"].mean()
    means = pd.read_csv(output / "array_collections" / "mean.csv").set_index("feature")
    assert means.loc["income", "real"] == pytest.approx(expected)


def test_tab_file_without_sep_suggests_tab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    for path in (real_path, synthetic_path):
        pd.read_csv(path).to_csv(path, index=False, sep="\t")

    output = tmp_path / "report"
    arguments = [str(real_path), str(synthetic_path), "--output-dir", str(output)]

    error = one_line_error(capsys, ["compare", *arguments])

    assert f"the real table {real_path} reads as one column named" in error
    assert error.endswith("pass --sep '\\t'.")
    assert not output.exists()


def test_tab_separator_written_as_backslash_t(tmp_path: Path) -> None:
    real_path, synthetic_path = write_tables(tmp_path)
    for path in (real_path, synthetic_path):
        pd.read_csv(path).to_csv(path, index=False, sep="\t")
    output = tmp_path / "report"

    arguments = [str(real_path), str(synthetic_path), "--sep", "\\t", "--output-dir", str(output)]

    status = main(["compare", *arguments])

    means = pd.read_csv(output / "array_collections" / "mean.csv").set_index("feature")
    assert status == 0
    assert list(means.index) == ["age", "income"]
