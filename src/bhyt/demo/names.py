"""Vietnamese names for the synthetic province: family, middle and given names with plausible weights.

Family-name shares follow the commonly cited national frequencies (Nguyễn about 38 %, Trần 11 %,
Lê 9.5 %, Phạm 7 % …), shifted a little towards the central coast (more Lê, Hồ, Võ). Ethnic-minority
households of the mountain communes (Vân Kiều, Pa Kô) draw from their own short list. Middle and
given names come in an older and a younger pool, blended by birth year, so that grandmothers are
mostly "… Thị …" and their grandchildren mostly are not.

Everything here is a vocabulary plus index draws: the writer joins the indices to the words in SQL.
"""

from __future__ import annotations

import numpy as np

# (name, weight); weights need not sum to 1.
FAMILY_KINH = [
    ("Nguyễn", 36.0), ("Trần", 10.5), ("Lê", 11.0), ("Phạm", 6.0), ("Hoàng", 4.5), ("Phan", 4.5),
    ("Võ", 4.5), ("Đặng", 2.0), ("Bùi", 1.8), ("Đỗ", 1.4), ("Hồ", 2.5), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.4), ("Trương", 1.2), ("Đinh", 0.9), ("Mai", 0.6), ("Đoàn", 0.8), ("Cao", 0.6),
    ("Lương", 0.5), ("Hà", 0.5), ("Thái", 0.5), ("Văn", 0.4), ("Tô", 0.3), ("Lâm", 0.4),
    ("Châu", 0.3), ("Trịnh", 0.4), ("Hồ Đắc", 0.1), ("Tôn Thất", 0.1),
]
FAMILY_MINORITY = [
    ("Hồ", 50.0), ("Pả", 7.0), ("Kray", 6.0), ("Căn", 5.0), ("Arâm", 5.0), ("Pi", 4.0), ("Lê", 5.0),
    ("Nguyễn", 5.0), ("Đinh", 4.0), ("Trần", 3.0), ("Cao", 3.0), ("Ka", 3.0),
]

MIDDLE_MALE_OLD = [
    ("Văn", 55), ("Đức", 8), ("Hữu", 7), ("Đình", 6), ("Công", 6), ("Minh", 4), ("Quang", 4), ("Xuân", 4),
    ("Ngọc", 3), ("Thanh", 3),
]
MIDDLE_MALE_NEW = [
    ("Văn", 12), ("Minh", 14), ("Gia", 10), ("Quốc", 8), ("Đức", 8), ("Anh", 6), ("Hoàng", 7), ("Bảo", 8),
    ("Đăng", 5), ("Thanh", 5), ("Hữu", 4), ("Nhật", 5), ("Tuấn", 4), ("Trọng", 4),
]
MIDDLE_FEMALE_OLD = [
    ("Thị", 75), ("Ngọc", 5), ("Thu", 4), ("Thanh", 4), ("Kim", 3), ("Xuân", 3), ("Minh", 2), ("Hồng", 4),
]
MIDDLE_FEMALE_NEW = [
    ("Thị", 30), ("Ngọc", 10), ("Bảo", 8), ("Khánh", 7), ("Minh", 7), ("Phương", 6), ("Thảo", 5), ("Gia", 6),
    ("Hà", 5), ("Mai", 5), ("Thanh", 5), ("Như", 6), ("Hoài", 4), ("Quỳnh", 4),
]

GIVEN_MALE_OLD = [
    ("Hùng", 6), ("Dũng", 6), ("Tuấn", 5), ("Minh", 5), ("Nam", 5), ("Long", 4), ("Hải", 5), ("Sơn", 5),
    ("Thắng", 4), ("Bình", 5), ("Hưng", 4), ("Trung", 4), ("Thành", 5), ("Tâm", 3), ("Cường", 4),
    ("Vinh", 4), ("Hòa", 4), ("Tài", 3), ("Lộc", 3), ("Phong", 3), ("Toàn", 3), ("Hiếu", 3), ("Quang", 3),
    ("Thái", 3), ("Tiến", 3), ("Châu", 2), ("Đông", 2), ("Lợi", 2), ("Phúc", 3), ("Thọ", 2), ("Sáu", 2),
    ("Tư", 2), ("Dương", 2), ("Kiên", 2), ("Hạnh", 2), ("Nghĩa", 3), ("Chiến", 3), ("Thanh", 2),
]
GIVEN_MALE_NEW = [
    ("Huy", 6), ("Khang", 5), ("Bảo", 5), ("Đạt", 5), ("Phúc", 5), ("Minh", 6), ("Nam", 4), ("Khoa", 4),
    ("Duy", 4), ("An", 5), ("Nhân", 3), ("Quân", 4), ("Tùng", 3), ("Long", 4), ("Hoàng", 3), ("Kiên", 3),
    ("Thịnh", 3), ("Hiếu", 3), ("Lâm", 3), ("Phát", 3), ("Tú", 3), ("Vũ", 3), ("Khôi", 4), ("Nguyên", 4),
    ("Đức", 3), ("Trí", 3), ("Thiện", 2), ("Hưng", 3), ("Sơn", 2), ("Tuấn", 3),
]
GIVEN_FEMALE_OLD = [
    ("Lan", 6), ("Hoa", 6), ("Hương", 6), ("Mai", 5), ("Hà", 4), ("Nhung", 4), ("Hằng", 4), ("Phương", 4),
    ("Thủy", 5), ("Yến", 4), ("Loan", 4), ("Hạnh", 4), ("Huyền", 3), ("Nga", 4), ("Oanh", 3), ("Vân", 4),
    ("Dung", 4), ("Tuyết", 3), ("Xuân", 3), ("Thu", 3), ("Hồng", 4), ("Liên", 3), ("Bích", 3), ("Sen", 2),
    ("Cúc", 2), ("Lý", 2), ("Tâm", 3), ("Hiền", 3), ("Lệ", 2), ("Nhàn", 2), ("Thơ", 2), ("Thảo", 3),
]
GIVEN_FEMALE_NEW = [
    ("Linh", 6), ("Trang", 5), ("Anh", 6), ("My", 5), ("Vy", 5), ("Nhi", 5), ("Ngân", 4), ("Trâm", 4),
    ("Quỳnh", 4), ("Thảo", 4), ("Uyên", 4), ("Giang", 3), ("Châu", 3), ("Diệp", 2), ("Hân", 4), ("Ngọc", 3),
    ("Như", 3), ("Tiên", 3), ("Thư", 4), ("Hà", 3), ("Hương", 3), ("Mai", 3), ("Yến", 2), ("Phương", 3),
    ("Khánh", 2), ("An", 4), ("Băng", 2), ("Nhiên", 2), ("Tâm", 2), ("Vân", 2),
]
GIVEN_MALE_MINORITY = [
    ("Khăm", 4), ("Bốc", 3), ("Cu", 3), ("Thoi", 3), ("Bôn", 3), ("Tăng", 3), ("Kăn", 3), ("Xiêng", 3),
    ("Pỏi", 2), ("Lình", 2), ("Voi", 2), ("Ăm", 2), ("Núi", 2), ("Sơn", 2), ("Hùng", 2), ("Dũng", 2),
]
GIVEN_FEMALE_MINORITY = [
    ("Lanh", 4), ("Nhiên", 3), ("Xoan", 3), ("Mơ", 3), ("Bai", 3), ("Ly", 3), ("Pôi", 3), ("Ngan", 2),
    ("Hiền", 2), ("Bích", 2), ("Thoa", 2), ("Lan", 2), ("Hoa", 2), ("Xuân", 2),
]

_POOLS = {
    "family_kinh": FAMILY_KINH,
    "family_minority": FAMILY_MINORITY,
    "middle_male_old": MIDDLE_MALE_OLD,
    "middle_male_new": MIDDLE_MALE_NEW,
    "middle_female_old": MIDDLE_FEMALE_OLD,
    "middle_female_new": MIDDLE_FEMALE_NEW,
    "given_male_old": GIVEN_MALE_OLD,
    "given_male_new": GIVEN_MALE_NEW,
    "given_female_old": GIVEN_FEMALE_OLD,
    "given_female_new": GIVEN_FEMALE_NEW,
    "given_male_minority": GIVEN_MALE_MINORITY,
    "given_female_minority": GIVEN_FEMALE_MINORITY,
}


def _vocabulary() -> tuple[list[str], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """All words once, and for each pool its word indices and cumulative probabilities."""
    words: list[str] = []
    index: dict[str, int] = {}
    pools: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for pool_name, entries in _POOLS.items():
        kept = list(entries)
        ids = []
        for word, _ in kept:
            if word not in index:
                index[word] = len(words)
                words.append(word)
            ids.append(index[word])
        weights = np.array([weight for _, weight in kept], dtype=float)
        pools[pool_name] = (np.array(ids, dtype=np.int32), np.cumsum(weights / weights.sum()))
    return words, pools


WORDS, POOLS = _vocabulary()


def draw(pool: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """Word indices drawn from a pool with its weights."""
    ids, cumulative = POOLS[pool]
    picks = np.searchsorted(cumulative, rng.random(size), side="right")
    return ids[np.minimum(picks, len(ids) - 1)]


def person_names(
    rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray, minority: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(middle, given) word indices for each person; middle is -1 where there is none."""
    size = len(sex)
    male = sex == 1
    # Share of the older naming fashion: everyone born before 1965, nobody after 2005.
    old_share = np.clip((2005 - birth_year) / 40.0, 0.0, 1.0)
    old = rng.random(size) < old_share

    middle = np.where(
        male,
        np.where(old, draw("middle_male_old", rng, size), draw("middle_male_new", rng, size)),
        np.where(old, draw("middle_female_old", rng, size), draw("middle_female_new", rng, size)),
    )
    given = np.where(
        male,
        np.where(old, draw("given_male_old", rng, size), draw("given_male_new", rng, size)),
        np.where(old, draw("given_female_old", rng, size), draw("given_female_new", rng, size)),
    )
    # Minority names: often a local given name, and for some no middle name at all ("Pả Xiêng").
    local = minority & (rng.random(size) < 0.6)
    given = np.where(
        local,
        np.where(male, draw("given_male_minority", rng, size), draw("given_female_minority", rng, size)),
        given,
    )
    middle = np.where(minority & (rng.random(size) < 0.25), -1, middle)
    # "Nguyễn Minh Minh": draw another given name (and drop the middle name if that clashes too).
    clash = middle == given
    if clash.any():
        alternative = np.where(male, draw("given_male_new", rng, size), draw("given_female_new", rng, size))
        given = np.where(clash, alternative, given)
        middle = np.where(middle == given, -1, middle)
    return middle.astype(np.int32), given.astype(np.int32)
