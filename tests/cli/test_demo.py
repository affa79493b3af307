"""``artifact-ml demo``: the run folder it leaves, the learning it shows and its input errors."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from artifact_ml.cli.main import main
from artifact_ml.datasets import load_adult


def run_folder(output_dir: Path) -> Path:
    (folder,) = (output_dir / "artifact-ml-demo").iterdir()
    return folder


def read_score(folder: Path, name: str) -> pd.Series:
    table = pd.read_csv(folder / "scores" / "validation" / f"{name}.csv")
    return table.set_index("step")["value"]


@pytest.fixture(scope="module")
def adult_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    output_dir = tmp_path_factory.mktemp("demo")
    command = [
        sys.executable,
        "-m",
        "artifact_ml.cli.main",
        "demo",
        "--epochs",
        "10",
        "--artifact-period",
        "5",
        "--output-dir",
        str(output_dir),
    ]
    # One torch thread: two threads on a busy 2-core machine run many times slower.
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, env=environment
    )
    assert finished.returncode == 0, finished.stderr
    return run_folder(output_dir), finished.stdout


def test_demo_logs_scores_every_artifact_epoch(adult_run: tuple[Path, str]) -> None:
    folder, _ = adult_run

    mean_js = read_score(folder, "mean_js_distance")

    assert list(mean_js.index) == [1, 5, 10]
    assert ((mean_js > 0) & (mean_js < np.sqrt(np.log(2)))).all()


def test_demo_mean_js_distance_decreases(adult_run: tuple[Path, str]) -> None:
    folder, _ = adult_run

    mean_js = read_score(folder, "mean_js_distance")

    assert mean_js[10] < mean_js[1] - 0.03


def test_demo_writes_pdf_plot_per_feature(adult_run: tuple[Path, str]) -> None:
    folder, _ = adult_run
    plots = folder / "plot_collections" / "validation" / "pdf"

    features = sorted(path.name for path in plots.iterdir())

    assert features == sorted(load_adult(num_rows=1).columns)
    for feature in features:
        steps = sorted(path.name for path in (plots / feature).glob("*.png"))
        assert steps == ["step_1.png", "step_10.png", "step_5.png"]
        assert (plots / feature / "step_10.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_js_collection_matches_mean(adult_run: tuple[Path, str]) -> None:
    folder, _ = adult_run

    per_feature = pd.read_csv(folder / "score_collections" / "validation" / "js_distance.csv")
    mean_js = read_score(folder, "mean_js_distance")

    by_step = per_feature.set_index("step")
    assert by_step.mean(axis=1).to_numpy() == pytest.approx(mean_js.to_numpy(), rel=1e-9)


def test_demo_summary_names_run_folder(adult_run: tuple[Path, str]) -> None:
    folder, stdout = adult_run

    assert f"Run folder: {folder}" in stdout
    assert "Mean JS distance (lower is better)" in stdout
    assert "UCI Adult (bundled)" in stdout


def make_csv(path: Path, num_rows: int = 300) -> Path:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "weight": rng.normal(70, 10, num_rows).round(1),
            "grade": rng.integers(1, 4, num_rows),
            "city": rng.choice(["Oslo", "Lima", "?"], num_rows),
        }
    )
    table.loc[::25, "weight"] = np.nan
    table.to_csv(path, index=False)
    return path


def test_demo_trains_on_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_csv(tmp_path / "people.csv")

    status = main(
        [
            "demo",
            "--data",
            str(data),
            "--categorical",
            "grade",
            "--epochs",
            "2",
            "--output-dir",
            str(tmp_path / "runs"),
            "--no-progress",
        ]
    )

    assert status == 0
    folder = run_folder(tmp_path / "runs")
    assert sorted(path.name for path in (folder / "plot_collections/validation/pdf").iterdir()) == [
        "city",
        "grade",
        "weight",
    ]
    assert list(read_score(folder, "mean_js_distance").index) == [1, 2]
    assert str(data) in capsys.readouterr().out


def test_demo_saved_tables_feed_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_csv(tmp_path / "people.csv")
    tables = tmp_path / "tables"

    status = main(
        [
            "demo",
            "--data",
            str(data),
            "--categorical",
            "grade",
            "--epochs",
            "1",
            "--output-dir",
            str(tmp_path / "runs"),
            "--save-tables",
            str(tables),
            "--no-progress",
        ]
    )
    output = capsys.readouterr().out
    command = output.split("Compare them with: ", 1)[1].splitlines()[0]
    compare_status = main(shlex.split(command)[1:])

    source = pd.read_csv(data, na_values=["?"])
    real = pd.read_csv(tables / "real.csv")
    synthetic = pd.read_csv(tables / "synthetic.csv")
    assert status == 0
    assert compare_status == 0
    pd.testing.assert_frame_equal(real, source)
    assert list(synthetic.columns) == ["weight", "grade", "city"]
    assert len(synthetic) == len(source)
    assert set(synthetic["grade"].dropna()) <= {1, 2, 3}
    assert set(synthetic["city"].dropna()) <= {"Oslo", "Lima"}
    assert "--categorical grade,city" in command
    assert (tables / "report" / "index.html").is_file()
    assert len(list((tables / "report" / "plot_collections" / "pdf").glob("*.png"))) == 3


def test_demo_rejects_file_as_tables_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_csv(tmp_path / "people.csv")
    existing_file = tmp_path / "taken"
    existing_file.write_text("keep me")

    line = error_line(capsys, ["demo", "--data", str(data), "--save-tables", str(existing_file)])

    assert f"cannot create the --save-tables folder {existing_file}" in line
    assert existing_file.read_text() == "keep me"


def error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def missing_file_error(path: Path) -> str:
    return f"artifact-ml: error: No such CSV file: {path}; pass --data with an existing file."


def test_demo_rejects_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(capsys, ["demo", "--data", str(tmp_path / "absent.csv")])

    assert line == missing_file_error(tmp_path / "absent.csv")


def test_demo_rejects_unknown_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_csv(tmp_path / "people.csv")

    line = error_line(capsys, ["demo", "--data", str(data), "--categorical", "grade,height"])

    assert "--categorical names column(s) ['height']" in line
    assert "['weight', 'grade', 'city']" in line


def test_demo_rejects_text_as_continuous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_csv(tmp_path / "people.csv")

    line = error_line(capsys, ["demo", "--data", str(data), "--continuous", "city"])

    assert "--continuous column 'city' contains text such as" in line


def test_demo_text_error_suggests_thousands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "salaries.csv"
    rows = [f'"{1000 + 7 * row:,}",{row % 3}' for row in range(300)]
    data.write_text("salary,grade\n" + "\n".join(rows) + "\n")

    line = error_line(capsys, ["demo", "--data", str(data), "--continuous", "salary"])

    assert "--continuous column 'salary'" in line
    assert "contains numbers written with ',' between thousands, such as '1,000'" in line
    assert line.endswith("pass --thousands ','.")


def test_demo_warns_of_thousands_in_inferred_column(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from artifact_ml.demo.table_source import load_csv

    data = tmp_path / "salaries.csv"
    rows = [f'"{1000 + 7 * row:,}",{row % 3}' for row in range(300)]
    data.write_text("salary,grade\n" + "\n".join(rows) + "\n")

    with caplog.at_level(logging.WARNING, logger="artifact_ml.demo"):
        source = load_csv(data)

    assert source.spec.categorical_features == ("salary", "grade")
    assert any(
        "Column 'salary'" in message and "pass --thousands ','" in message
        for message in caplog.messages
    )


def test_load_csv_parses_thousands_separator(tmp_path: Path) -> None:
    from artifact_ml.demo.table_source import load_csv

    data = tmp_path / "salaries.csv"
    salaries = [1000 + 7 * row for row in range(300)]
    rows = [f'"{salary:,}",{row % 3}' for row, salary in enumerate(salaries)]
    data.write_text("salary,grade\n" + "\n".join(rows) + "\n")

    source = load_csv(data, thousands=",")

    assert source.table["salary"].tolist() == salaries
    assert source.spec.continuous_features == ("salary",)
    assert source.spec.categorical_features == ("grade",)


def test_demo_semicolon_file_suggests_sep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "people.csv"
    pd.read_csv(make_csv(data)).to_csv(data, index=False, sep=";")

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert "reads as one column named 'weight;grade;city'" in line
    assert line.endswith("pass --sep ';'.")


def test_load_csv_reads_tab_separated_file(tmp_path: Path) -> None:
    from artifact_ml.demo.table_source import load_csv

    data = tmp_path / "people.tsv"
    expected = pd.read_csv(make_csv(tmp_path / "people.csv"), keep_default_na=False)
    expected.to_csv(data, index=False, sep="\t")

    source = load_csv(data, sep="\t")

    assert list(source.table.columns) == ["weight", "grade", "city"]
    assert source.table["grade"].tolist() == expected["grade"].tolist()
    assert source.spec.continuous_features == ("weight",)


def test_demo_sep_needs_data(capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(capsys, ["demo", "--sep", ";"])

    assert "--categorical, --continuous, --sep and --decimal apply to --data" in line


def test_demo_rejects_long_sep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_csv(tmp_path / "people.csv")

    line = error_line(capsys, ["demo", "--data", str(data), "--sep", ";;"])

    assert line == (
        "artifact-ml: error: --sep must be one character, got ';;'; for tabs pass --sep '\\t'."
    )


def test_demo_rejects_empty_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "empty.csv"
    data.write_text("weight,city\n")

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert line.endswith("has 0 data rows; the demo needs at least 10 to train.")


def test_demo_rejects_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "image.csv"
    data.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 50)

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert line.startswith(f"artifact-ml: error: Cannot read {data} as CSV")


def test_console_script_error_has_no_traceback(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "artifact_ml.cli.main",
        "demo",
        "--data",
        str(tmp_path / "x.csv"),
    ]

    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr
    assert finished.stderr.strip().splitlines() == [missing_file_error(tmp_path / "x.csv")]


def test_demo_rejects_folder_as_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(capsys, ["demo", "--data", str(tmp_path)])

    assert (
        line
        == f"artifact-ml: error: {tmp_path} is a folder, not a CSV file; pass --data with a file."
    )


@pytest.mark.parametrize("name", ["plain.csv.gz", "plain.zip"])
def test_demo_rejects_misnamed_archive(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_csv(tmp_path / "people.csv").rename(tmp_path / name)

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert line.startswith(f"artifact-ml: error: Cannot read {data} as CSV: ")


def test_demo_rejects_dot_column_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dots.csv"
    pd.DataFrame({"..": range(20), "y": ["a", "b"] * 10}).to_csv(data, index=False)

    line = error_line(capsys, ["demo", "--data", str(data), "--output-dir", str(tmp_path / "runs")])

    assert "column '..' cannot name a logged result" in line
    assert not (tmp_path / "runs").exists()


def test_demo_rejects_colliding_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "slashes.csv"
    pd.DataFrame({"a/b": range(20), "a_b": range(20)}).to_csv(data, index=False)

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert "columns 'a/b' and 'a_b' both become 'a_b' in result names" in line


@pytest.mark.slow
def test_demo_sigterm_drains_and_records_killed(tmp_path: Path) -> None:
    import json
    import signal
    import time
    import uuid

    tag = uuid.uuid4().hex
    command = ["demo", "--epochs", "200", "--no-progress", "--output-dir", str(tmp_path / "runs")]
    process = subprocess.Popen(
        [sys.executable, "-m", "artifact_ml.cli.main", *command],
        stderr=subprocess.PIPE,
        env={**os.environ, "ARTIFACT_ML_TEST_TAG": tag},
        text=True,
    )
    loss_file = tmp_path / "runs" / "artifact-ml-demo"
    deadline = time.monotonic() + 180
    rows = 0
    while rows < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        files = list(loss_file.glob("*/scores/train/loss.csv"))
        rows = len(files[0].read_text().splitlines()) if files else 0
    assert rows >= 4, "the demo did not log three epochs in time"

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)

    folder = run_folder(tmp_path / "runs")
    losses = pd.read_csv(folder / "scores" / "train" / "loss.csv")
    assert process.returncode == 143
    assert "terminated by SIGTERM" in stderr
    assert json.loads((folder / "run.json").read_text())["status"] == "killed"
    assert losses["step"].tolist() == list(range(1, len(losses) + 1))
    survivors = [
        path.parent.name
        for path in Path("/proc").glob("[0-9]*/environ")
        if _readable(path) and tag.encode() in path.read_bytes()
    ]
    assert survivors == []


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def write_european_csv(path: Path) -> Path:
    """Write a ';'-separated table whose numbers have decimal commas, as spreadsheets in many
    European locales export it."""
    generator = np.random.default_rng(4)
    rows = [
        f"{age};{income:.2f};{sex}".replace(".", ",")
        for age, income, sex in zip(
            generator.integers(18, 90, 300),
            generator.lognormal(10, 1, 300),
            generator.choice(["f", "m"], 300),
            strict=True,
        )
    ]
    path.write_text("age;income;sex\n" + "\n".join(rows) + "\n")
    return path


def test_demo_european_csv_suggests_sep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_european_csv(tmp_path / "eu.csv")

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert line.endswith("separated by ';', not ','; pass --sep ';'.")


def test_load_csv_reads_decimal_comma(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from artifact_ml.demo.table_source import load_csv

    data = write_european_csv(tmp_path / "eu.csv")
    with caplog.at_level(logging.WARNING, logger="artifact_ml.demo"):
        as_text = load_csv(data, sep=";")

    source = load_csv(data, sep=";", decimal=",")

    assert "income" in as_text.spec.categorical_features
    assert any("pass --decimal ','" in message for message in caplog.messages)
    assert "income" in source.spec.continuous_features
    first_income = data.read_text().splitlines()[1].split(";")[1]
    assert source.table["income"].iloc[0] == float(first_income.replace(",", "."))


def test_demo_rejects_decimal_equal_to_sep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_csv(tmp_path / "people.csv")

    line = error_line(capsys, ["demo", "--data", str(data), "--decimal", ","])

    assert "--decimal must be one character other than the column separator ','" in line


def test_demo_tab_file_with_commas_suggests_tab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "notes.tsv"
    rows = [f"{row}\t{'x, y' if row % 7 == 3 else 'plain'}" for row in range(300)]
    data.write_text("id\tnote\n" + "\n".join(rows) + "\n")

    line = error_line(capsys, ["demo", "--data", str(data)])

    assert f"Cannot read {data}: its header looks separated by '\\t'" in line
    assert line.endswith("pass --sep '\\t'.")


def test_decimal_hint_needs_other_separator() -> None:
    from artifact_ml.demo.csv_separator import number_format_hint

    column = pd.Series(["49,02", "3,5", "12"])

    assert number_format_hint(column, thousands=None, decimal=".", separator=";") == (
        "--decimal ','",
        "numbers written with a decimal comma",
    )
    assert number_format_hint(column, thousands=None, decimal=".", separator=",") is None
