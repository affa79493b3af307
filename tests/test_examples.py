"""The scripts under examples/ run as documented and leave the results they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_adult_example_writes_run_folder(tmp_path: Path) -> None:
    command = [sys.executable, str(EXAMPLES / "train_vae_on_adult.py"), "--epochs", "2"]

    # One torch thread: two threads on a busy 2-core machine run many times slower.
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=environment,
    )

    assert finished.returncode == 0, finished.stderr
    (run_dir,) = (tmp_path / "artifact-ml-runs" / "adult-vae").iterdir()
    mean_js = pd.read_csv(run_dir / "scores" / "validation" / "mean_js_distance.csv")
    assert mean_js["step"].tolist() == [2]
    assert 0.0 < mean_js["value"].iloc[0] < 1.0
    train_loss = pd.read_csv(run_dir / "scores" / "train" / "loss.csv")
    assert train_loss["step"].tolist() == [1, 2]
    pdf_plots = sorted((run_dir / "plot_collections" / "validation" / "pdf").glob("*/step_2.png"))
    assert len(pdf_plots) == 15
    assert f"Run folder: {run_dir}" in finished.stderr
