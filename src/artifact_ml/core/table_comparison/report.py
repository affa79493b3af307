"""The comparison report: every table-comparison artifact written to a folder with an index page.

Layout of the report folder (file names derive from the artifact names, see the type enums):

- ``scores.csv`` and ``scores.json``: every score;
- ``score_collections/<name>.csv``: one row per feature (``feature,value``);
- ``array_collections/<name>.csv``: one row per continuous feature (``feature,real,synthetic``),
  and ``array_collections.json`` with all of them;
- ``plots/<name>.png`` and ``plot_collections/<name>/<key>.png``;
- ``index.html``: a static page that shows all of the above through relative links, so it works
  when opened from the file system without a server.

The report is written to a temporary folder next to ``output_dir`` and moved into place when it is
complete, so a failure leaves ``output_dir`` as it was. An earlier report in ``output_dir``
(recognised by its ``.artifact-ml-report`` marker file) is replaced as a whole, so none of its
files stay behind; any other folder with files is refused. The temporary folders are named
``.<output_dir name>.partial-<process id>-<random>`` (and ``.old-`` for a replaced report). A
killed process cannot remove them, so on POSIX systems the next report into the same
``output_dir`` removes those whose process no longer runs.
"""

from __future__ import annotations

import csv
import html
import json
import logging
import math
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.artifacts import (
    ARRAY_COLLECTIONS,
    PLOT_COLLECTIONS,
    PLOTS,
    SCORE_COLLECTIONS,
    SCORES,
)
from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.engine import TableComparisonEngine
from artifact_ml.core.table_comparison.spec import TabularDataSpec

__all__ = ["REPORT_MARKER", "ComparisonReport", "write_report"]

# Written into every report folder; only a folder with it is replaced by a new report.
REPORT_MARKER = ".artifact-ml-report"

logger = logging.getLogger(__name__)


@dataclass
class ComparisonReport:
    """Paths and values of a written report."""

    index_path: Path
    scores: dict[str, float] = field(default_factory=dict)
    image_paths: list[Path] = field(default_factory=list)


def _file_stem(key: str, used: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") or "feature"
    candidate = stem
    suffix = 2
    while candidate.lower() in used:
        candidate = f"{stem}_{suffix}"
        suffix += 1
    used.add(candidate.lower())
    return candidate


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _save(figure: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    # The figure is not registered with pyplot; clearing it frees its artists right away.
    figure.clear()


def _image_html(path: Path, root: Path, caption: str) -> str:
    source = quote(path.relative_to(root).as_posix())
    return (
        f'<figure><img src="{source}" alt="{html.escape(caption)}" loading="lazy">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _format(value: float) -> str:
    return "NaN" if math.isnan(value) else f"{value:.6g}"


_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1400px}"
    "table{border-collapse:collapse;margin-bottom:1em}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "img{max-width:100%;border:1px solid #eee}figure{margin:1em 0}.scroll{overflow-x:auto}"
)


def _check_output_dir(output_dir: Path) -> None:
    """Raise ValueError unless ``output_dir`` is absent, an empty folder or an earlier report
    (a folder with the ``REPORT_MARKER`` file that every report contains)."""
    if not output_dir.exists():
        return
    if not output_dir.is_dir():
        raise ValueError(
            f"The report folder {output_dir} is a file; pass a new or empty folder instead."
        )
    if any(output_dir.iterdir()) and not (output_dir / REPORT_MARKER).is_file():
        raise ValueError(
            f"The report folder {output_dir} contains files but no {REPORT_MARKER} file, so it is "
            "not an earlier report that could be replaced; pass a new or empty folder instead."
        )


def _temporary_folder(output_dir: Path, kind: str) -> Path:
    """Return a new name next to ``output_dir`` for a ``kind`` ("partial" or "old") folder."""
    return output_dir.parent / f".{output_dir.name}.{kind}-{os.getpid()}-{secrets.token_hex(6)}"


def _process_is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, under another user
        return True
    return True


def _remove_abandoned_folders(output_dir: Path) -> None:
    """Remove the temporary folders of ``output_dir`` left by report processes that were killed.

    Only POSIX systems are checked, where signal 0 tests whether a process runs without
    affecting it. A folder whose process id is in use again is kept.
    """
    if os.name != "posix" or not output_dir.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(output_dir.name)}\.(partial|old)-(\d+)-[0-9a-f]+")
    for path in output_dir.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_dir() or _process_is_running(int(match.group(2))):
            continue
        logger.info("Removing %s, left by a report process that stopped early.", path)
        shutil.rmtree(path, ignore_errors=True)


def _move_into_place(staging: Path, output_dir: Path) -> None:
    """Replace ``output_dir`` (if any) with the complete report in ``staging``."""
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    retired = _temporary_folder(output_dir, "old")
    output_dir.rename(retired)
    staging.rename(output_dir)
    shutil.rmtree(retired, ignore_errors=True)


def write_report(
    real_data: pd.DataFrame,
    synthetic_data: pd.DataFrame,
    resource_spec: TabularDataSpec,
    output_dir: Path,
    config: TableComparisonConfig | None = None,
    title: str = "Table comparison report",
    sources: tuple[str, str] | None = None,
) -> ComparisonReport:
    """Compute every table-comparison artifact and write the report folder (module docstring).

    Both tables are validated and encoded once. ``sources`` names the real and synthetic tables
    on the index page (for example their file names).

    Raises:
        TypeError, ValueError: from the spec's validation of either table.
        ValueError: ``output_dir`` is a file, or a folder with files that is not a report.
        OSError: the folder cannot be written.
    """
    engine = TableComparisonEngine.build(resource_spec=resource_spec, config=config)
    context = engine.encode(real_data, synthetic_data)
    _check_output_dir(output_dir)
    if context.synthetic.row_count == 0:
        logger.warning(
            "The synthetic table has no rows: every score is NaN and the plots show no synthetic "
            "data."
        )
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    # mkdir (unlike tempfile.mkdtemp, which creates mode 0700) honours the umask, so the moved
    # report is as readable as a folder the user creates.
    _remove_abandoned_folders(output_dir)
    staging = _temporary_folder(output_dir, "partial")
    staging.mkdir()
    try:
        report = _write_files(context, resource_spec, staging, title, sources)
        _move_into_place(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.index_path = output_dir / "index.html"
    report.image_paths = [output_dir / path.relative_to(staging) for path in report.image_paths]
    logger.info("Wrote the comparison report to %s.", report.index_path)
    return report


def _write_files(
    context: ComparisonContext,
    resource_spec: TabularDataSpec,
    output_dir: Path,
    title: str,
    sources: tuple[str, str] | None,
) -> ComparisonReport:
    """Write every file of the report into ``output_dir`` and return what was written."""
    report = ComparisonReport(index_path=output_dir / "index.html")
    (output_dir / REPORT_MARKER).write_text(
        "This folder is an artifact-ml comparison report; a new report may replace it whole.\n",
        encoding="utf-8",
    )
    sections: list[str] = []

    scores = {score_type.value: compute(context) for score_type, compute in SCORES.items()}
    report.scores = scores
    with (output_dir / "scores.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["score", "value"])
        writer.writerows([name, repr(value)] for name, value in scores.items())
    (output_dir / "scores.json").write_text(
        json.dumps({name: _json_number(value) for name, value in scores.items()}, indent=2)
    )
    sections.append("<h2>Scores</h2>")
    sections.append(
        "<p>Distances are 0 for identical tables, and lower is better: the mean JS distance lies "
        "in [0, 1] (base 2) and the correlation distance in [0, 2].</p>"
    )
    sections.append(
        _table_html(["score", "value"], [[name, _format(value)] for name, value in scores.items()])
    )

    for collection_type, compute_collection in SCORE_COLLECTIONS.items():
        values = compute_collection(context)
        name = collection_type.value
        path = output_dir / "score_collections" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"feature": list(values), "value": list(values.values())}).to_csv(
            path, index=False
        )
        sections.append(f"<h2>Score collection: {html.escape(name)}</h2>")
        sections.append(
            _table_html(["feature", name], [[key, _format(value)] for key, value in values.items()])
        )

    arrays: dict[str, dict[str, list[float | None]]] = {}
    statistic_rows: dict[str, list[str]] = {
        feature: [feature] for feature in resource_spec.continuous_features
    }
    for statistic, compute_arrays in ARRAY_COLLECTIONS.items():
        pairs = compute_arrays(context)
        arrays[statistic.value] = {
            key: [_json_number(float(number)) for number in pair] for key, pair in pairs.items()
        }
        path = output_dir / "array_collections" / f"{statistic.value}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        matrix = np.array(list(pairs.values())).reshape(-1, 2)
        pd.DataFrame(
            {"feature": list(pairs), "real": matrix[:, 0], "synthetic": matrix[:, 1]}
        ).to_csv(path, index=False)
        for key, pair in pairs.items():
            statistic_rows[key] += [_format(float(pair[0])), _format(float(pair[1]))]
    (output_dir / "array_collections.json").write_text(json.dumps(arrays, indent=2))
    header = ["feature"] + [
        f"{statistic.value} ({role})"
        for statistic in ARRAY_COLLECTIONS
        for role in ("real", "synthetic")
    ]
    sections.append("<h2>Statistics of continuous features</h2>")
    sections.append(_table_html(header, list(statistic_rows.values())))

    sections.append("<h2>Plots</h2>")
    for plot_type, compute_plot in PLOTS.items():
        path = output_dir / "plots" / f"{plot_type.value}.png"
        _save(compute_plot(context), path)
        report.image_paths.append(path)
        sections.append(_image_html(path, output_dir, plot_type.value))
        logger.debug("Wrote %s.", path)

    for collection_plot_type, compute_plots in PLOT_COLLECTIONS.items():
        sections.append(f"<h2>Plot collection: {html.escape(collection_plot_type.value)}</h2>")
        used: set[str] = set()
        for key, figure in compute_plots(context).items():
            folder = output_dir / "plot_collections" / collection_plot_type.value
            path = folder / f"{_file_stem(key, used)}.png"
            _save(figure, path)
            report.image_paths.append(path)
            sections.append(_image_html(path, output_dir, f"{collection_plot_type.value}: {key}"))

    real_name, synthetic_name = (
        (f" {html.escape(sources[0])},", f" {html.escape(sources[1])},") if sources else ("", "")
    )
    summary = (
        f"<p>Real table:{real_name} {context.real.row_count} rows; synthetic table:"
        f"{synthetic_name} {context.synthetic.row_count} rows; "
        f"{len(resource_spec.continuous_features)} continuous and "
        f"{len(resource_spec.categorical_features)} categorical features.</p>"
    )
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{summary}{''.join(sections)}</body></html>\n"
    )
    report.index_path.write_text(page, encoding="utf-8")
    return report
