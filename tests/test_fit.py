"""scorer/fit.py: the item profiles are scikit-learn's TF-IDF exactly (written out to spare
the ~1.5 s import per process), and the ranks say which items a sentence fits best."""

from __future__ import annotations

import numpy as np
import pytest

from scorer.engine import Scorer
from scorer.fit import ItemProfiles, han_only
from scorer.score import _wording


@pytest.fixture(scope="module")
def court():
    s = Scorer.load("court")
    items = [(o.id, _wording(o)) for o in s.compiled.owners if o.kind != "veto"]
    return items, s.compiled.profiles


SENTENCES = [
    "我院组建青年志愿服务队，走进社区开展普法宣传和义务法律咨询，发放宣传资料300余份。",
    "复查组实地查看了诉讼服务大厅、法院文化长廊、图书室等文明单位建设阵地，查阅了创建台账。",
    "全年共受理各类案件16574件，审执结16326件，结案率98.5%。",
    "no Chinese at all 123",
    "",
]


def test_profiles_equal_scikit_learn(court):
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")  # a dev dependency (pyproject [dev])
    items, profiles = court
    vec = sklearn_text.TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, preprocessor=han_only)
    reference = vec.fit_transform([t for _, t in items])
    ours = ItemProfiles(items)
    assert ours.ids == [i for i, _ in items]
    order = [ours.vocab[g] for g in vec.get_feature_names_out()]
    np.testing.assert_allclose(ours.matrix[:, order], reference.toarray(), atol=1e-12)
    for sentence in SENTENCES:
        expected = (vec.transform([sentence]) @ reference.T).toarray().ravel()
        np.testing.assert_allclose(ours.similarities(sentence), expected, atol=1e-12)
    assert profiles is not None and profiles.ids == ours.ids


def test_ranks_name_the_item_a_sentence_is_about(court):
    _, profiles = court
    assert profiles.best(SENTENCES[0]).startswith("volunteer.")
    assert profiles.best(SENTENCES[2]) == "judicial.caseload"
    ranks = profiles.ranks(SENTENCES[0])
    assert ranks.min() == 0 and ranks[profiles.index[profiles.best(SENTENCES[0])]] == 0
    assert ranks[profiles.index["judicial.caseload"]] > 4
    # nothing Chinese: only the separator is left, which every profile has (a low idf)
    assert profiles.similarities(SENTENCES[3]).max() < 0.1
    assert not profiles.similarities("").any()
