"""Result-name validation and collision checks after each backend's sanitising."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from artifact_ml.experiment import InMemoryTrackingClient
from conftest import BackendCase


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("../escape", "'../escape'"),
        ("validation//loss", "'validation//loss'"),
        ("validation/./loss", "'validation/./loss'"),
        ("/absolute", "'/absolute'"),
        ("trailing/", "'trailing/'"),
        ("windows\\path", "not '\\\\'"),
        ("new\nline", "control character"),
    ],
)
def test_invalid_name_rejected(name: str, message: str) -> None:
    with InMemoryTrackingClient.build("exp") as client, pytest.raises(ValueError, match=message):
        client.log_score(name, 1.0, step=0)

    assert client.scores == {}


def test_non_string_name_rejected() -> None:
    with InMemoryTrackingClient.build("exp") as client, pytest.raises(TypeError, match="42"):
        client.log_score(42, 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("identifier", ["", "..", "a/b", "a\\b"])
def test_invalid_run_id_rejected(identifier: str) -> None:
    with pytest.raises(ValueError, match="Invalid run id"):
        InMemoryTrackingClient.build("exp", run_id=identifier)


def test_colliding_keys_rejected() -> None:
    with InMemoryTrackingClient.build("exp") as client:
        client.log_score_collection("validation/js_distance", {"a/b": 0.1}, step=0)
        with pytest.raises(ValueError, match="'a_b' and 'a/b' are both stored as 'a_b'"):
            client.log_score_collection("validation/js_distance", {"a_b": 0.2}, step=1)

    assert client.score_collections["validation/js_distance"] == [(0, {"a_b": 0.1})]


def test_bad_score_value_rejected() -> None:
    with InMemoryTrackingClient.build("exp") as client, pytest.raises(TypeError, match="'x'"):
        client.log_score("loss", "x")  # type: ignore[arg-type]


# A score "a/b" and a score collection "a" with key "b" share a metric, a scalar or a field in
# MLflow, ClearML and Neptune; the run folder keeps them apart (scores/ vs score_collections/).
SCORE_VERSUS_COLLECTION_COLLIDES = {
    "memory": False,
    "filesystem": False,
    "mlflow": True,
    "clearml": True,
    "neptune": True,
}


def test_score_collection_collision(backend_case: BackendCase) -> None:
    client = backend_case.build()
    try:
        client.log_score("validation/age", 0.5, step=0)
        if SCORE_VERSUS_COLLECTION_COLLIDES[backend_case.name]:
            with pytest.raises(
                ValueError,
                match="score_collection 'validation' collides with score 'validation/age'",
            ):
                client.log_score_collection("validation", {"age": 0.1}, step=0)
        else:
            client.log_score_collection("validation", {"age": 0.1}, step=0)
    finally:
        client.stop()

    stored = backend_case.read(client)
    assert stored.scores["validation/age"][0] == (0, 0.5)


SANITISED_PAIRS = {
    "filesystem": ("validation/a:b", "validation/a_b"),
    "mlflow": ("validation/a!b", "validation/a_b"),
}


@pytest.mark.parametrize("backend_case", sorted(SANITISED_PAIRS), indirect=True)
def test_sanitised_name_collision(backend_case: BackendCase) -> None:
    first, second = SANITISED_PAIRS[backend_case.name]
    client = backend_case.build()
    try:
        client.log_score(first, 1.0, step=0)
        with pytest.raises(ValueError, match=f"score '{second}' collides with score '{first}'"):
            client.log_score(second, 2.0, step=0)
    finally:
        client.stop()

    assert backend_case.read(client).scores["validation/a_b"] == [(0, 1.0)]


@pytest.mark.parametrize("backend_case", ["neptune"], indirect=True)
def test_neptune_field_versus_namespace(backend_case: BackendCase) -> None:
    client = backend_case.build()
    try:
        client.log_score("validation/loss", 1.0, step=0)
        with pytest.raises(ValueError, match="'validation/loss/part' collides with score"):
            client.log_score("validation/loss/part", 2.0, step=0)
        with pytest.raises(ValueError, match="namespaces sys, source_code"):
            client.log_score("sys/name", 2.0, step=0)
    finally:
        client.stop()

    assert backend_case.read(client).scores["validation/loss"] == [(0, 1.0)]


def test_fallback_path_collision_rejected(backend_case: BackendCase) -> None:
    client = backend_case.build()
    try:
        client.log_score("validation/x:y", 1.0, step=0)
        with pytest.raises(ValueError, match="'validation/x_y' collides with score") as raised:
            client.log_score("validation/x_y", 2.0, step=0)
    finally:
        client.stop()

    # The run folder stores both as scores/validation/x_y.csv, so every backend, whose failed
    # writes go to such a folder, rejects the second name.
    where = "this tracking backend" if backend_case.name == "filesystem" else "fallback folder"
    assert where in str(raised.value)
    assert backend_case.read(client).scores[
        "validation/x_y" if backend_case.name == "filesystem" else "validation/x:y"
    ] == [(0, 1.0)]


@pytest.mark.parametrize("backend_case", ["neptune"], indirect=True)
def test_neptune_step_files_collision(backend_case: BackendCase, tmp_path: Path) -> None:
    upload = tmp_path / "weights.bin"
    upload.write_bytes(b"\x00\x01")
    client = backend_case.build()
    try:
        client.log_array("w", np.array([1.0, 2.0]), step=0)
        with pytest.raises(ValueError, match="file 'w' collides with array 'w'"):
            client.log_file("w", upload, step=0)
        client.log_array_collection("h", {"k": np.array([7.0])}, step=0)
        with pytest.raises(ValueError, match="array 'h/k' collides with array_collection 'h'"):
            client.log_array("h/k", np.array([8.0]), step=0)
    finally:
        client.stop()

    stored = backend_case.read(client)
    np.testing.assert_array_equal(stored.arrays["w"][0], [1.0, 2.0])
    np.testing.assert_array_equal(stored.arrays["h/k"][0], [7.0])
