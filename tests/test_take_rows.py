"""`read.take_rows`: a few rows of an Arrow column read in blocks, without joining its chunks, equal to iloc."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.demand.read import take_rows


def _chunked(dtype: str) -> pd.Series:
    chunks = [pa.array([f"r{i}" if i % 7 else None for i in range(start, start + 5)]) for start in range(0, 20, 5)]
    return pd.Series(pd.array(pa.chunked_array(chunks), dtype=dtype), name="col")


def test_rows_from_several_chunks_equal_iloc() -> None:
    for dtype in ("str", "string"):
        values = _chunked(dtype)
        assert values.array._pa_array.num_chunks == 4
        for positions in ([0, 4, 5, 14, 19], [3], [], [7, 8, 9], list(range(20))):
            taken = take_rows(values, np.array(positions, dtype=np.int64))
            expected = values.iloc[positions]
            assert taken.dtype == values.dtype
            assert taken.name == "col"
            assert list(taken.index) == positions
            assert taken.isna().tolist() == expected.isna().tolist()
            assert taken.fillna("-").tolist() == expected.fillna("-").tolist()


def test_unsorted_positions_and_plain_columns_fall_back_to_iloc() -> None:
    values = _chunked("str")
    taken = take_rows(values, np.array([19, 2, 11]))
    assert taken.fillna("-").tolist() == ["r19", "r2", "r11"]
    plain = pd.Series(["a", "b", "c"], dtype=object)
    assert take_rows(plain, np.array([2, 0])).tolist() == ["c", "a"]
