"""TabularDataSpec: feature types, categories, missing tokens and validation errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.table_comparison import TabularDataSpec


def make_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "income": np.linspace(0.0, 100.0, 30),
            "children": [0, 1, 2] * 10,
            "city": ["b", "a", "?"] * 10,
            "flag": [True, False, True] * 10,
            "age_text": [str(20 + i) for i in range(30)],
        }
    )


def test_spec_infers_feature_types() -> None:
    spec = TabularDataSpec.from_df(make_table())

    assert spec.features == ("income", "children", "city", "flag", "age_text")
    assert spec.continuous_features == ("income", "age_text")
    assert spec.categorical_features == ("children", "city", "flag")


def test_spec_categories_sorted_without_missing() -> None:
    spec = TabularDataSpec.from_df(make_table())

    assert spec.categories["city"] == ("a", "b")
    assert spec.categories["children"] == ("0", "1", "2")
    assert spec.categories["flag"] == ("False", "True")
    assert spec.missing_values == ("?",)


def test_spec_numeric_categories_sort_numerically() -> None:
    table = pd.DataFrame({"grade": [10, 2, 1, 2.0]})

    spec = TabularDataSpec.from_df(table)

    assert spec.categories["grade"] == ("1", "2", "10")


def test_spec_declared_types_override_inference() -> None:
    spec = TabularDataSpec.from_df(make_table(), cts_features=["children"], cat_features=["income"])

    assert spec.continuous_features == ("children", "age_text")
    assert "income" in spec.categorical_features
    assert len(spec.categories["income"]) == 30


def test_spec_declared_missing_token() -> None:
    table = pd.DataFrame({"city": ["a", "n/a", " n/a ", "b"]})

    spec = TabularDataSpec.from_df(table, missing_values=("n/a",))

    assert spec.categories["city"] == ("a", "b")


def test_spec_rejects_unknown_declared_column() -> None:
    with pytest.raises(ValueError, match=r"cts_features names column\(s\) \['salary'\]"):
        TabularDataSpec.from_df(make_table(), cts_features=["salary"])


def test_spec_rejects_feature_in_both_lists() -> None:
    with pytest.raises(ValueError, match="in both cts_features and cat_features"):
        TabularDataSpec.from_df(make_table(), cts_features=["city"], cat_features=["city"])


def test_spec_rejects_text_in_continuous_feature() -> None:
    with pytest.raises(ValueError, match=r"Column 'city' of the real table is continuous.*'a'"):
        TabularDataSpec.from_df(make_table(), cts_features=["city"])


def test_spec_rejects_string_instead_of_list() -> None:
    with pytest.raises(TypeError, match=r"cat_features=\['city'\]"):
        TabularDataSpec.from_df(make_table(), cat_features="city")


def test_validate_names_missing_column() -> None:
    spec = TabularDataSpec.from_df(make_table())
    synthetic = make_table().drop(columns=["city"])

    with pytest.raises(ValueError, match=r"synthetic table is missing column\(s\) \['city'\]"):
        spec.validate(synthetic)


def test_validate_names_text_in_continuous_column() -> None:
    spec = TabularDataSpec.from_df(make_table())
    synthetic = make_table().astype({"income": object})
    synthetic.loc[3, "income"] = "lots"

    with pytest.raises(ValueError, match=r"Column 'income' of the synthetic table.*'lots'"):
        spec.validate(synthetic)


def test_validate_accepts_extra_column_and_new_category() -> None:
    spec = TabularDataSpec.from_df(make_table())
    synthetic = make_table().assign(extra=1.0)
    synthetic.loc[0, "city"] = "z"

    spec.validate(synthetic)

    assert "extra" not in spec.features


def test_validate_rejects_non_dataframe() -> None:
    spec = TabularDataSpec.from_df(make_table())

    with pytest.raises(TypeError, match="must be a pandas DataFrame, got ndarray"):
        spec.validate(np.zeros((3, 5)))  # type: ignore[arg-type]
