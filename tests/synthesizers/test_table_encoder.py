"""TableEncoder: layout, round trips and the errors for bad tables."""

import numpy as np
import pandas as pd
import pytest

from artifact_ml.datasets import ADULT_CATEGORICAL_FEATURES, ADULT_CONTINUOUS_FEATURES, load_adult
from artifact_ml.synthesizers.table_encoder import TableEncoder


@pytest.fixture
def mixed_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [25, 40, 31, 58, 40],
            "income": [1.5, np.nan, 3.25, 0.0, 2.0],
            "city": ["Oslo", "Lima", None, "Oslo", "Lima"],
            "smoker": [True, False, False, True, False],
        }
    )


def fit_mixed(table: pd.DataFrame) -> TableEncoder:
    return TableEncoder.fit(
        table, continuous_features=["age", "income"], categorical_features=["city", "smoker"]
    )


def test_layout_places_blocks_in_order(mixed_table: pd.DataFrame) -> None:
    layout = fit_mixed(mixed_table).layout

    assert layout.continuous == slice(0, 2)
    assert layout.missing_indicators == slice(2, 3)
    assert layout.categorical == (slice(3, 6), slice(6, 8))
    assert layout.num_columns == 8


def test_encode_one_hot_and_indicator_values(mixed_table: pd.DataFrame) -> None:
    encoded = fit_mixed(mixed_table).encode(mixed_table)

    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded[:, 2], [0, 1, 0, 0, 0])
    # city categories sorted by string: Lima, Oslo, then the missing category.
    np.testing.assert_array_equal(encoded[:, 3:6].argmax(1), [1, 0, 2, 1, 0])
    np.testing.assert_array_equal(encoded[:, 6:8].argmax(1), [1, 0, 0, 1, 0])


def test_decode_of_encoding_restores_table(mixed_table: pd.DataFrame) -> None:
    encoder = fit_mixed(mixed_table)
    encoded = encoder.encode(mixed_table)
    layout = encoder.layout

    decoded = encoder.decode(
        encoded[:, layout.continuous],
        encoded[:, layout.missing_indicators],
        [encoded[:, block].argmax(1) for block in layout.categorical],
    )

    assert list(decoded.columns) == list(mixed_table.columns)
    assert decoded["age"].dtype == np.int64
    np.testing.assert_array_equal(decoded["age"], mixed_table["age"])
    np.testing.assert_allclose(decoded["income"], mixed_table["income"], atol=1e-6)
    assert decoded["city"].tolist()[:2] == ["Oslo", "Lima"]
    assert pd.isna(decoded["city"][2])
    assert decoded["smoker"].dtype == bool
    assert decoded["smoker"].tolist() == mixed_table["smoker"].tolist()


def test_decode_clips_to_observed_range(mixed_table: pd.DataFrame) -> None:
    encoder = fit_mixed(mixed_table)
    extreme = np.array([[50.0, -50.0]])

    decoded = encoder.decode(extreme, np.zeros((1, 1)), [np.array([0]), np.array([0])])

    assert decoded["age"][0] == 58
    assert decoded["income"][0] == 0.0


def test_adult_round_trip_keeps_marginals() -> None:
    table = load_adult(num_rows=2000)
    encoder = TableEncoder.fit(table, ADULT_CONTINUOUS_FEATURES, ADULT_CATEGORICAL_FEATURES)
    encoded = encoder.encode(table)
    layout = encoder.layout

    decoded = encoder.decode(
        encoded[:, layout.continuous],
        encoded[:, layout.missing_indicators],
        [encoded[:, block].argmax(1) for block in layout.categorical],
    )

    # float32 encoding costs up to about 2e-5 relative error in the tails of the quantile transform.
    pd.testing.assert_frame_equal(decoded, table, check_exact=False, rtol=1e-4)


def test_fit_rejects_unlisted_column(mixed_table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"\['smoker'\] are neither continuous nor categorical"):
        TableEncoder.fit(mixed_table, ["age", "income"], ["city"])


def test_fit_rejects_absent_column(mixed_table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"\['height'\] are not in the table"):
        TableEncoder.fit(mixed_table, ["age", "income", "height"], ["city", "smoker"])


def test_fit_rejects_text_as_continuous(mixed_table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"'city' has dtype .*, not a number type"):
        TableEncoder.fit(mixed_table, ["age", "income", "city"], ["smoker"])


def test_fit_rejects_infinite_values(mixed_table: pd.DataFrame) -> None:
    mixed_table.loc[1, "income"] = np.inf
    with pytest.raises(ValueError, match="'income' contains infinite values"):
        fit_mixed(mixed_table)


def test_fit_rejects_empty_table(mixed_table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="empty table"):
        fit_mixed(mixed_table.iloc[:0])


def test_encode_rejects_unseen_category(mixed_table: pd.DataFrame) -> None:
    encoder = fit_mixed(mixed_table)
    other = mixed_table.copy()
    other.loc[3, "city"] = "Pune"

    with pytest.raises(ValueError, match="'city' contains 'Pune' at row 3, a category not seen"):
        encoder.encode(other)
