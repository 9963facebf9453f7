"""The centred grid rule of neocognitron._grid against an exact-fraction reference."""

import naive
import pytest

from neocognitron._grid import field_starts


def test_paper_chain_grid():
    # by hand from c_i = (i + 1/2) N/M - 1/2, start = round(c_i - (h-1)/2):
    # 16 -> 10 with h = 5: c_0 = 0.3 -> -1.7 -> -2; c_1 = 1.9 -> -0.1 -> 0; ...
    assert list(field_starts(16, 10, 5)) == [-2, 0, 1, 3, 5, 6, 8, 10, 11, 13]
    assert list(field_starts(10, 8, 5)) == [-2, -1, 1, 2, 3, 4, 6, 7]
    assert list(field_starts(8, 6, 5)) == [-2, -1, 1, 2, 4, 5]
    assert list(field_starts(6, 2, 5)) == [-1, 2]
    assert list(field_starts(2, 1, 2)) == [0]
    assert list(field_starts(16, 16, 5)) == list(range(-2, 14))


@pytest.mark.parametrize("n_in", range(1, 25))
def test_grid_matches_naive(n_in):
    for n_out in range(1, n_in + 1):
        for size in range(1, n_in + 1):
            assert list(field_starts(n_in, n_out, size)) == naive.grid_starts(n_in, n_out, size)


@pytest.mark.parametrize("n_in", [1, 2, 5, 8, 16, 28, 31])
def test_same_grid_and_mirror_symmetry(n_in):
    for size in range(1, n_in + 1):
        starts = list(field_starts(n_in, n_in, size))
        if size % 2:  # "same" correlation: the field is centred on its own position
            assert starts == [i - size // 2 for i in range(n_in)]
        for n_out in range(1, n_in + 1):
            s = list(field_starts(n_in, n_out, size))
            assert s == sorted(s) and s[-1] - s[0] <= n_in  # non-decreasing, inside the span
            # mirror image: cell i's field reflected is cell (M-1-i)'s field, except the
            # middle cell of an odd M when the exact centre falls between two positions
            for i in range(n_out):
                j = n_out - 1 - i
                if i != j:
                    assert s[i] + s[j] + size - 1 == n_in - 1, (n_in, n_out, size, i)
