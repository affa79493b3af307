"""Static typing: mypy accepts compatible callbacks and routines and rejects the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
TYPING_DIR = REPOSITORY / "tests" / "typing"

EXPECTED_ERRORS = {
    "fail_callback_missing_output_field.py": (
        'List item 0 has incompatible type "MeanKLCallback"; expected '
        '"ModelIOCallback[FeaturesInput, ModelOutput, Any]'
    ),
    "fail_routine_needs_synthesizer.py": (
        'Return type "VAERoutine" of "_get_artifact_routine" incompatible with return type '
        '"ArtifactRoutine[PlainModel] | None" in supertype'
    ),
    "fail_routine_run_on_plain_model.py": (
        'Argument 1 to "run" of "ArtifactRoutine" has incompatible type "PlainModel"; '
        'expected "TableSynthesizer[Any, Any]"'
    ),
}
PASSING_FILES = ("pass_model_output_callbacks.py", "typing_models.py")


@pytest.fixture(scope="module")
def mypy_errors() -> dict[str, list[str]]:
    """Run mypy once over every typing file; return the error lines of each file by name."""
    files = sorted(TYPING_DIR.glob("*.py"))
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *map(str, files)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert completed.returncode in (0, 1), completed.stderr
    errors: dict[str, list[str]] = {path.name: [] for path in files}
    for line in completed.stdout.splitlines():
        if ": error: " in line:
            errors[Path(line.split(":", 1)[0]).name].append(line)
    return errors


def test_typing_files_are_covered(mypy_errors: dict[str, list[str]]) -> None:
    assert sorted(mypy_errors) == sorted([*EXPECTED_ERRORS, *PASSING_FILES])


@pytest.mark.parametrize("file_name", PASSING_FILES)
def test_typing_pass_file(mypy_errors: dict[str, list[str]], file_name: str) -> None:
    assert mypy_errors[file_name] == []


@pytest.mark.parametrize("file_name", sorted(EXPECTED_ERRORS))
def test_typing_fail_file(mypy_errors: dict[str, list[str]], file_name: str) -> None:
    errors = mypy_errors[file_name]

    assert len(errors) == 1, errors
    assert EXPECTED_ERRORS[file_name] in errors[0]
