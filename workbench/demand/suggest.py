"""Suggestions from the customers' words: value or failure demand, and the failure's cause, for rows nobody
has classified yet.

Seddon's rule stands: a computer never decides what is failure demand. Workbench *suggests*, with a
confidence and the words that drove the suggestion, and people accept or reject it (an accepted suggestion
becomes an ordinary correction). Nothing here writes into the demand frame.

Two ways of suggesting, the second used as soon as the team has classified enough rows:

* **Phrases** (`PHRASES`): a short list of the phrases the failure-demand literature quotes for each cause
  ("still waiting", "came back", "no one called"...). Works before anything is classified; it can only
  ever suggest *failure* (the absence of a chasing phrase says nothing about value), and only in English.
* **Learned**: a model of this study's own decisions. TF-IDF of word n-grams (1-2) and character n-grams
  within words (`char_wb`, 2-5: any language or script, and robust to misspellings: "waitng" shares most
  of its n-grams with "waiting") feeding a logistic regression (scikit-learn's SGDClassifier, seeded),
  trained on the rows people classified (nature value or failure, whether typed in the data, filled by the
  team's catalogue or corrected by hand). A second model suggests the failure cause when at least `MIN_CAUSE_EXAMPLES` failure
  rows carry each of two or more causes. Used from `MIN_LEARNED` classified rows with at least
  `MIN_PER_NATURE` of each nature; below that only the phrases are used, and `Suggestions.basis` says so.

Bounded work: at most `TRAIN_ROWS` classified rows train a model (a seeded sample beyond that), the
vocabularies are capped (`WORD_FEATURES`, `CHAR_FEATURES`), texts are de-duplicated before they are
vectorised and rows are scored `CHUNK_ROWS` at a time. Everything runs on this machine: no model is
downloaded, no text leaves it.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from workbench import schema
from workbench.demand.labels import nature_label

# ------------------------------------------------------------------------------------------ settings

MIN_LEARNED = 30  # classified rows (with words) before a model of the team's decisions is trained...
MIN_PER_NATURE = 5  # ...of which at least this many value and this many failure
MIN_CAUSE_EXAMPLES = 5  # failure rows per cause before the cause model learns that cause
TRAIN_ROWS = 20_000  # at most this many classified rows train a model (a seeded sample beyond it)
KFOLD_ROWS = 2_500  # up to this many classified rows, each is held out once (k-fold) to measure agreement...
QUALITY_FOLDS = 5  # ...scored by a model trained on the other four fifths
QUALITY_ROWS = 5_000  # above KFOLD_ROWS, one seeded sample of at most this many (and a fifth) is held out
CHUNK_ROWS = 20_000  # texts vectorised and scored at a time (bounded memory on 200k rows)
WORD_FEATURES = 50_000  # vocabulary caps: at most this many word n-grams...
CHAR_FEATURES = 100_000  # ...and character n-grams
MAX_TEXT_CHARS = 5_000  # only a text's first 5,000 characters are read (a cell may hold a million; words rarely 500)
MAX_REASONS = 3  # words or phrases shown per suggestion
REASON_MAX_SHARE = 0.1  # an n-gram in more of the training texts than this ("the") is shown only for want of others
SEED = 20260105  # the training sample and the held-out folds are drawn from this seed: same data, same figures
SGD_ALPHA = 1e-4  # the models' regularisation (scikit-learn's default; 3e-6 and 3e-5 measured no better)
SGD_EPOCHS = 50  # passes over the training rows at most (it stops sooner once the loss stops falling)
PHRASE_CAP = 0.95  # a phrase match never claims more than this confidence
PHRASE_WEIGHT = 1.0  # how far a matched phrase moves the learned model's log-odds (its own log-odds times this)

# Columns of `Suggestions.table`.
SUGGESTED_NATURE = "suggested_nature"  # value, failure, or "" (nothing to go on)
SUGGESTED_CAUSE = "suggested_cause"  # a failure cause, or "" when none is suggested
CONFIDENCE = "confidence"  # 0-1: how sure the suggestion of the nature is
CAUSE_CONFIDENCE = "cause_confidence"  # 0-1: how sure the suggestion of the cause is (0 when none)
REASONS = "reasons"  # list of the words or phrases in the text that drove the suggestion
SOURCE = "source"  # "learned", "phrases", or "none" (no words, or none the model or the phrases know)
COLUMNS: tuple[str, ...] = (schema.ROW, SUGGESTED_NATURE, SUGGESTED_CAUSE, CONFIDENCE, CAUSE_CONFIDENCE, REASONS,
                            SOURCE)
LEARNED, PHRASES_SOURCE, NONE_SOURCE = "learned", "phrases", "none"

# ------------------------------------------------------------------------------------------ the phrase list

# Phrases customers use when they contact a service because it failed them, grouped by the usual failure
# causes (docs: DOMAIN.md, "Failure demand"), each with how strongly it alone points to failure demand. Where
# they come from: Seddon, *Freedom from Command and Control* (2003) and *Systems Thinking in the Public
# Sector* (2008), whose examples of failure demand are progress chasing ("where is my...", "when will..."),
# repeat contacts about work not done or not done right, and letters and forms people cannot understand; the
# Vanguard Method's "check" guidance on listening to demand in the customer's terms; and the UK local
# government failure-demand studies (National Indicator 14, 2008-2010) that counted "avoidable contact":
# chasing, call-backs that never came, being passed between departments, wrong outcomes. Single words
# ("again", "wrong") are weaker than phrases: "wrong" also appears in "what's wrong with my boiler".
PHRASES: dict[str, dict[str, float]] = {
    # progress chasing: the customer asks where something is because it has not happened yet
    "progress chasing": {
        "still waiting": 0.85, "chasing": 0.8, "chase up": 0.8, "chasing up": 0.85, "any update": 0.8,
        "any news": 0.7, "an update": 0.6, "where is": 0.5, "where's my": 0.6, "when will": 0.55,
        "when is someone": 0.75, "heard nothing": 0.85, "not heard": 0.75, "haven't heard": 0.8,
        "have not heard": 0.8, "how much longer": 0.8, "how long": 0.5, "still not received": 0.85,
        "still haven't": 0.75, "what's happening with": 0.7, "still no": 0.6, "been waiting": 0.8,
        "waiting for": 0.55, "no reply": 0.75, "no response": 0.75,
    },
    # repeat / recall: the work was done but did not fix it, so the customer comes back
    "repeat / recall": {
        "again": 0.6, "still not fixed": 0.9, "not fixed": 0.75, "came back": 0.75, "come back": 0.55,
        "second time": 0.8, "third time": 0.85, "same problem": 0.8, "keeps happening": 0.75,
        "didn't fix": 0.85, "did not fix": 0.85, "still broken": 0.8, "broken again": 0.85,
        "happened again": 0.85, "same as before": 0.75,
    },
    # not done: something promised did not happen (a call-back, a visit)
    "not done": {
        "no one called": 0.9, "nobody called": 0.9, "no one rang": 0.9, "nobody rang": 0.9,
        "promised a call": 0.9, "promised to call": 0.9, "never called": 0.85, "never rang": 0.85,
        "call me back": 0.7, "ring me back": 0.7, "call back": 0.6, "nobody turned up": 0.9,
        "no one turned up": 0.9, "no one came": 0.9, "nobody came": 0.9, "didn't turn up": 0.9,
        "never showed": 0.85, "never turned up": 0.9, "you said you would": 0.8, "you said you'd": 0.8,
    },
    # not understood: a letter, form or message the customer cannot make sense of
    "not understood": {
        "don't understand": 0.85, "do not understand": 0.85, "dont understand": 0.85,
        "what does this letter mean": 0.95, "what does this mean": 0.85, "what does it mean": 0.85,
        "what does that mean": 0.85, "doesn't make sense": 0.8, "does not make sense": 0.8,
        "confused": 0.65, "confusing": 0.65, "can you explain": 0.7, "what is this letter": 0.85,
    },
    # error / wrong outcome: the service did the wrong thing
    "error / wrong outcome": {
        "wrong": 0.6, "incorrect": 0.75, "sent the wrong": 0.9, "mistake": 0.7, "error": 0.55,
        "overcharged": 0.85, "charged twice": 0.9, "shouldn't have": 0.6, "not mine": 0.6,
        "wrongly": 0.8,
    },
    # sent elsewhere: passed between departments or organisations
    "sent elsewhere": {
        "told me to ring you": 0.9, "told me to call you": 0.9, "told me to contact you": 0.9,
        "put through to": 0.7, "passed from": 0.75, "passed back": 0.75, "sent me here": 0.85,
        "sent me back": 0.85, "gave me this number": 0.85, "transferred": 0.6,
    },
}

_PHRASE_CAUSE: dict[str, tuple[str, float]] = {p: (cause, w) for cause, ps in PHRASES.items() for p, w in ps.items()}
_PHRASE_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(p) for p in sorted(_PHRASE_CAUSE, key=len, reverse=True)) + r")(?!\w)")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def normalise(text: object) -> str:
    """The form words are compared in: NFKC (full-width letters, ligatures), case-folded, one kind of
    apostrophe, single spaces, at most `MAX_TEXT_CHARS` read. Anything that is not a string (a number, NaN,
    None) is no words."""
    if not isinstance(text, str):
        return ""
    return " ".join(unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).translate(_APOSTROPHES).casefold().split())


def match_phrases(text: str) -> tuple[str, float, list[str]]:
    """(cause, confidence, phrases matched) for one normalised text; ("", 0, []) when no phrase is in it.

    The cause is the one whose phrases weigh most; the confidence treats the matched phrases as independent
    hints (1 - product of (1 - weight)), capped at `PHRASE_CAP`: a phrase is a hint, never a certainty."""
    found = list(dict.fromkeys(m.group(1) for m in _PHRASE_RE.finditer(text)))
    if not found:
        return "", 0.0, []
    weight: dict[str, float] = {}
    miss = 1.0
    for phrase in found:
        cause, w = _PHRASE_CAUSE[phrase]
        weight[cause] = weight.get(cause, 0.0) + w
        miss *= 1.0 - w
    cause = max(weight, key=lambda c: (weight[c], -list(PHRASES).index(c)))
    return cause, min(PHRASE_CAP, 1.0 - miss), found


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Quality:
    """How often the suggestions agree with the team's own decisions on rows held out from training."""

    rows: int  # classified rows (with words) held out in turn
    suggested: int  # of those, rows given a suggestion (the others had no words the model knows)
    agree: int  # suggestions that match the team's value/failure
    agreement: float  # agree / suggested (0-1)
    failure_rows: int  # held-out rows the team called failure...
    failure_found: float | None  # ...and the share of them suggested as failure
    cause_rows: int  # held-out failure rows with a cause, suggested failure with a cause
    cause_agreement: float | None  # share of those whose suggested cause is the team's
    phrase_rows: int  # held-out rows in which a phrase of the list was found
    phrase_agreement: float | None  # share of those the team called failure
    trained_on: int  # classified rows that train each held-out model (the suggestions' model may use more)
    sentence: str  # the figures in one plain sentence


@dataclass(frozen=True)
class Suggestions:
    table: pd.DataFrame  # one row per unclassified demand (columns `COLUMNS`), above `min_confidence`
    basis: str  # plain sentence: what the suggestions were made from, and why
    learned: bool  # True when a model of the team's decisions made them, False for the phrase list only
    classified: int  # rows the team has classified (with words)
    trained_on: int  # rows that trained the model (0 for the phrase list)
    causes_learned: tuple[str, ...]  # causes the cause model can suggest (empty: phrase causes only)
    quality: Quality | None  # None when there are too few classified rows to measure (or not asked for)


# ------------------------------------------------------------------------------------------ reading the frame


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A column as an object array of str, blanks for missing values (or a missing column)."""
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    col = frame[name]
    values = col.astype(object).to_numpy()
    missing = pd.isna(col).to_numpy()
    values = values.copy()
    values[missing] = ""
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)


def _normalised_words(frame: pd.DataFrame) -> np.ndarray:
    raw = frame[schema.CUSTOMER_WORDS] if schema.CUSTOMER_WORDS in frame.columns else pd.Series([""] * len(frame))
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    folded = np.array([normalise(u) for u in uniques] + [""], dtype=object)
    return folded[np.where(codes < 0, len(uniques), codes)]


def _rows(frame: pd.DataFrame) -> np.ndarray:
    if schema.ROW in frame.columns:
        return pd.to_numeric(frame[schema.ROW], errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    return np.arange(2, len(frame) + 2, dtype=np.int64)  # as a spreadsheet numbers rows under a header


@dataclass(frozen=True)
class _Study:
    words: np.ndarray  # normalised customer words, per row
    nature: np.ndarray  # value / failure / unclassified, per row
    cause: np.ndarray  # failure cause or "", per row
    labelled: np.ndarray  # indices of rows classified by people (value or failure) that have words


def _study(frame: pd.DataFrame) -> _Study:
    words = _normalised_words(frame)
    # labels as people type them ("V", "FD", "Failure demand") in a frame not from the loader; anything else open
    codes, labels = pd.factorize(pd.Series(_column(frame, schema.NATURE), dtype=object))
    canonical = np.array([nature_label(u) or schema.UNCLASSIFIED for u in labels] + [schema.UNCLASSIFIED],
                         dtype=object)
    nature = canonical[np.where(codes < 0, len(labels), codes)]
    cause = np.array([" ".join(c.split()) for c in _column(frame, schema.FAILURE_CAUSE)], dtype=object)
    labelled = np.flatnonzero((nature != schema.UNCLASSIFIED) & (words != ""))
    return _Study(words, nature, cause, labelled)


def _enough(nature: np.ndarray) -> bool:
    values, failures = int((nature == schema.VALUE).sum()), int((nature == schema.FAILURE).sum())
    return values + failures >= MIN_LEARNED and values >= MIN_PER_NATURE and failures >= MIN_PER_NATURE


# ------------------------------------------------------------------------------------------ the learned model


@dataclass
class _Model:
    words: TfidfVectorizer
    chars: TfidfVectorizer
    nature: SGDClassifier
    failure_column: int  # the column of predict_proba that is failure
    weights: np.ndarray  # per feature: weight towards failure (positive) or value (negative)
    names: np.ndarray  # per feature: the word n-gram, or the character n-gram without its padding
    is_char: np.ndarray  # per feature: a character n-gram
    shown: np.ndarray  # per feature: 0 not shown as a reason (under 3 letters), 1 shown, 2 only for want of others
    cause: SGDClassifier | None
    trained_on: int

    def features(self, texts: np.ndarray) -> sparse.csr_matrix:
        return sparse.hstack([self.words.transform(texts), self.chars.transform(texts)], format="csr")


def _vectorisers(rows: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    min_df = 2 if rows >= 1_000 else 1  # a one-off typo teaches nothing, but a small study keeps every word
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w[\w']*\b", min_df=min_df,
                            max_features=WORD_FEATURES, sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=min_df, max_features=CHAR_FEATURES,
                            sublinear_tf=True, dtype=np.float32)
    return words, chars


def _linear() -> SGDClassifier:
    """Logistic regression fitted by stochastic gradient descent (seeded): on 20,000 rows under a second
    where liblinear took 6-10 s and L-BFGS minutes. Agreement measured against liblinear (C=10) on the same
    splits: the same on the benchmark's 100,000 rows (97.9%) and on both samples' k-fold and 30%-hidden
    figures, better with few rows to learn from (97% hidden: housing 87.3% against 83.9%)."""
    return SGDClassifier(loss="log_loss", alpha=SGD_ALPHA, max_iter=SGD_EPOCHS, tol=1e-4, n_iter_no_change=3,
                         random_state=SEED)


def _fit(texts: np.ndarray, nature: np.ndarray, cause: np.ndarray) -> _Model | None:
    """Train on classified rows (texts not empty); None when the words give nothing to learn from. The
    vocabularies and their weights (IDF) come from the distinct texts, vectorised once each: a team that
    writes "Chasing repair" 500 times pays for it once."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    distinct = np.asarray(uniques, dtype=object)
    words, chars = _vectorisers(len(distinct))
    try:
        x_distinct = sparse.hstack([words.fit_transform(distinct), chars.fit_transform(distinct)], format="csr")
    except ValueError:  # an empty vocabulary: only punctuation, say
        return None
    if x_distinct.nnz == 0 or len(set(nature)) < 2:
        return None
    x = x_distinct[codes]
    model = _linear()
    with warnings.catch_warnings():  # odd texts may need more than SGD_EPOCHS: the cap is the point
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, nature)
    failure_column = int(np.flatnonzero(model.classes_ == schema.FAILURE)[0])
    weights = model.coef_[0].astype(np.float64)
    if failure_column == 0:  # a binary model's one coefficient row points to classes_[1]
        weights = -weights
    word_names = words.get_feature_names_out()
    char_names = np.array([n.strip() for n in chars.get_feature_names_out()], dtype=object)
    names = np.concatenate([word_names.astype(object), char_names])
    is_char = np.r_[np.zeros(len(word_names), bool), np.ones(len(char_names), bool)]
    share = np.asarray((x_distinct > 0).sum(axis=0)).ravel() / max(1, len(distinct))
    telling = np.fromiter((_telling(n) for n in names), bool, count=len(names))
    shown = np.where(telling, np.where(share <= REASON_MAX_SHARE, 1, 2), 0).astype(np.int8)
    return _Model(words, chars, model, failure_column, weights, names, is_char, shown,
                  _fit_cause(x, nature, cause), len(texts))


def _fit_cause(x: sparse.csr_matrix, nature: np.ndarray, cause: np.ndarray) -> SGDClassifier | None:
    failing = (nature == schema.FAILURE) & (cause != "")
    counts = Counter(cause[failing])
    known = [c for c, n in counts.items() if n >= MIN_CAUSE_EXAMPLES]
    if len(known) < 2:
        return None
    rows = np.flatnonzero(failing & np.isin(cause, known))
    model = _linear()  # one-versus-rest for three causes or more
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x[rows], cause[rows])
    return model


def _telling(name: str) -> bool:
    """Whether an n-gram may be shown to a person as a reason: a word or character n-gram of 3 letters or
    more, a pair of words only when one has 4 or more ("a baby", not "is the")."""
    tokens = name.split()
    if len(tokens) > 1:
        return any(len(t) >= 4 for t in tokens)
    return len(name) >= 3


def _sample(indices: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    if len(indices) <= cap:
        return indices
    return np.sort(rng.choice(indices, size=cap, replace=False))


def _train(study: _Study, rows: np.ndarray) -> _Model | None:
    """A model of the decisions on `rows` (indices of labelled rows), or None when they are too few."""
    rows = _sample(rows, TRAIN_ROWS, np.random.default_rng(SEED))
    if not _enough(study.nature[rows]):
        return None
    return _fit(study.words[rows], study.nature[rows], study.cause[rows])


def _reasons(model: _Model, x: sparse.csr_matrix, towards_failure: np.ndarray, texts: np.ndarray) -> list[list[str]]:
    """Per row, the n-grams in its text that pushed the model most towards what it suggested: the largest
    products of feature value and weight of the suggested side. A character n-gram is shown as the word of
    the text it comes from ("waitng", not "aitn"); n-grams under 3 letters, or in more than
    `REASON_MAX_SHARE` of the training texts come after the others (they say little to a person)."""
    x = x.tocsr()
    contribution = x.data * model.weights[x.indices]
    row_of = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    sign = np.where(towards_failure[row_of], 1.0, -1.0)
    score = contribution * sign
    names = model.names[x.indices]
    tier = model.shown[x.indices]
    keep = (score > 0) & (tier > 0)
    order = np.lexsort((-score[keep], tier[keep], row_of[keep]))
    rows_kept, names_kept, char_kept = row_of[keep][order], names[keep][order], model.is_char[x.indices][keep][order]
    out: list[list[str]] = [[] for _ in range(x.shape[0])]
    bounds = np.searchsorted(rows_kept, np.arange(x.shape[0] + 1))
    for r in range(x.shape[0]):
        lo, hi = bounds[r], bounds[r + 1]
        if lo == hi:
            continue
        chosen = out[r]
        tokens: list[str] | None = None
        for name, is_char in zip(names_kept[lo:hi], char_kept[lo:hi], strict=True):
            if is_char:
                if tokens is None:
                    tokens = texts[r].split()
                name = next((t.strip(".,!?;:\"'()") for t in tokens if name in t), name)
            if name and not any(name in c or c in name for c in chosen):
                chosen.append(name)
                if len(chosen) == MAX_REASONS:
                    break
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _predict(model: _Model | None, texts: np.ndarray, *, reasons: bool = True) -> pd.DataFrame:
    """Suggestions for distinct normalised texts. With a model: its probability of failure, moved by the
    phrase list where a phrase matched (`PHRASE_WEIGHT`: the literature's phrases are evidence the team's
    own rows may not hold yet, e.g. for a kind of failure demand nobody has classified); the phrase list
    alone where the text has no word the model knows, or where there is no model."""
    n = len(texts)
    nature = np.full(n, "", dtype=object)
    cause = np.full(n, "", dtype=object)
    confidence = np.zeros(n)
    cause_confidence = np.zeros(n)
    why: list[list[str]] = [[] for _ in range(n)]
    source = np.full(n, NONE_SOURCE, dtype=object)
    phrases = [match_phrases(t) for t in texts]
    phrase_conf = np.array([p[1] for p in phrases], dtype=np.float64)
    if model is not None:
        known_causes = set(model.cause.classes_) if model.cause is not None else set()
        for start in range(0, n, CHUNK_ROWS):
            chunk = slice(start, min(n, start + CHUNK_ROWS))
            x = model.features(texts[chunk])
            known = np.diff(x.indptr) > 0
            proba = model.nature.predict_proba(x)[:, model.failure_column]
            hinted = phrase_conf[chunk] > 0
            if PHRASE_WEIGHT > 0 and hinted.any():
                moved = _logit(proba[hinted]) + PHRASE_WEIGHT * _logit(phrase_conf[chunk][hinted])
                proba[hinted] = 1.0 / (1.0 + np.exp(-moved))
            failing = proba >= 0.5
            idx = np.arange(chunk.start, chunk.stop)
            nature[idx[known]] = np.where(failing[known], schema.FAILURE, schema.VALUE)
            confidence[idx[known]] = np.where(failing, proba, 1.0 - proba)[known]
            source[idx[known]] = LEARNED
            if model.cause is not None and (known & failing).any():
                sel = np.flatnonzero(known & failing)
                cp = model.cause.predict_proba(x[sel])
                best = cp.argmax(axis=1)
                cause[idx[sel]] = model.cause.classes_[best]
                cause_confidence[idx[sel]] = cp[np.arange(len(sel)), best]
            if reasons:
                for at, r in zip(idx.tolist(), _reasons(model, x, failing, texts[chunk]), strict=True):
                    why[at] = r
    else:
        known_causes = set()
    for i, (p_cause, p_conf, found) in enumerate(phrases):
        if not found:
            continue
        if source[i] == NONE_SOURCE:  # no model, or no word the model knows: the phrase list speaks
            nature[i], confidence[i], source[i], why[i] = schema.FAILURE, p_conf, PHRASES_SOURCE, found
            cause[i], cause_confidence[i] = p_cause, p_conf
        elif nature[i] == schema.FAILURE:
            why[i] = (found + [w for w in why[i] if not any(w in f or f in w for f in found)])[:MAX_REASONS]
            # the phrase's cause where the cause model has none, or has not learned that cause and is less sure
            if cause[i] == "" or (p_cause not in known_causes and p_conf > cause_confidence[i]):
                cause[i], cause_confidence[i] = p_cause, p_conf
    return pd.DataFrame({SUGGESTED_NATURE: nature, SUGGESTED_CAUSE: cause, CONFIDENCE: confidence,
                         CAUSE_CONFIDENCE: cause_confidence, REASONS: why, SOURCE: source})


def _by_text(model: _Model | None, texts: np.ndarray, *, reasons: bool = True) -> pd.DataFrame:
    """`_predict` on each distinct text once, spread back to the rows."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    table = _predict(model, np.asarray(uniques, dtype=object), reasons=reasons)
    return table.iloc[codes].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ quality


def _held_out(study: _Study) -> np.ndarray:
    """The classified rows a study of more than `KFOLD_ROWS` holds out to measure agreement (seeded)."""
    size = min(QUALITY_ROWS, len(study.labelled) // QUALITY_FOLDS)
    return _sample(study.labelled, size, np.random.default_rng(SEED + 1))


def _surplus(study: _Study) -> bool:
    """Whether the held-out rows are more than training needs, so the suggestions' own model can be the one
    measured (trained without them, losing nothing): one training instead of two."""
    return len(study.labelled) > TRAIN_ROWS + QUALITY_ROWS


def _quality(study: _Study, without_held: _Model | None = None) -> Quality | None:
    """Agreement with the team on classified rows held out from the model that scores them: every row once
    (k-fold) up to `KFOLD_ROWS` rows, else one seeded sample (`_held_out`) scored by `without_held` (a model
    trained without it) or by one trained here."""
    labelled = study.labelled
    if not _enough(study.nature[labelled]):
        return None
    predicted: list[pd.DataFrame] = []
    positions: list[np.ndarray] = []
    trained_on = 0
    if len(labelled) > KFOLD_ROWS:
        held = _held_out(study)
        model = without_held if without_held is not None else _train(study, np.setdiff1d(labelled, held))
        trained_on = model.trained_on if model else 0
        predicted.append(_by_text(model, study.words[held], reasons=False))
        positions.append(held)
    else:
        folds = np.random.default_rng(SEED + 1).permutation(len(labelled)) % QUALITY_FOLDS
        for k in range(QUALITY_FOLDS):
            test = labelled[folds == k]
            if len(test) == 0:
                continue
            model = _train(study, labelled[folds != k])
            trained_on = max(trained_on, model.trained_on if model else 0)
            predicted.append(_by_text(model, study.words[test], reasons=False))
            positions.append(test)
    table = pd.concat(predicted, ignore_index=True)
    at = np.concatenate(positions)
    truth, truth_cause = study.nature[at], study.cause[at]
    said = table[SUGGESTED_NATURE].to_numpy(dtype=object)
    said_cause = table[SUGGESTED_CAUSE].to_numpy(dtype=object)
    suggested = said != ""
    agree = int((said[suggested] == truth[suggested]).sum())
    failure = truth == schema.FAILURE
    causes = failure & (truth_cause != "") & (said == schema.FAILURE) & (said_cause != "")
    phrase = np.array([bool(_PHRASE_RE.search(t)) for t in study.words[at]], dtype=bool)
    n_suggested = int(suggested.sum())
    agreement = agree / n_suggested if n_suggested else 0.0
    failure_found = float((said[failure] == schema.FAILURE).mean()) if failure.any() else None
    cause_agreement = float((said_cause[causes] == truth_cause[causes]).mean()) if causes.any() else None
    phrase_agreement = float(failure[phrase].mean()) if phrase.any() else None
    sentence = (f"On {len(at):,} rows you classified (each held out from the model that scored it), the "
                f"suggestions agree with your value/failure on {_pct(agreement)} of the {n_suggested:,} given")
    if failure_found is not None:
        sentence += f"; they find {_pct(failure_found)} of your failure demand"
    if cause_agreement is not None:
        sentence += f"; the suggested cause is yours for {_pct(cause_agreement)} of {int(causes.sum()):,} failure rows"
    sentence += "."
    return Quality(len(at), n_suggested, agree, agreement, int(failure.sum()), failure_found, int(causes.sum()),
                   cause_agreement, int(phrase.sum()), phrase_agreement, trained_on, sentence)


def _pct(x: float) -> str:
    """A share for people: whole percent, one decimal near the ends so 99.87% is not read as "100%"."""
    return f"{x:.1%}" if (0 < x < 0.005 or 0.995 <= x < 1) else f"{x:.0%}"


def quality(frame: pd.DataFrame) -> Quality | None:
    """How far to trust the learned suggestions: agreement with the team's own value/failure (and cause) on
    classified rows, each scored by a model trained without it: all of them `QUALITY_FOLDS`-fold up to
    `KFOLD_ROWS`, else a seeded sample of at most `QUALITY_ROWS`. None when fewer than `MIN_LEARNED` rows
    are classified (`Suggestions.basis` says why)."""
    return _quality(_study(frame))


# ------------------------------------------------------------------------------------------ suggestions


def _basis(study: _Study, model: _Model | None) -> str:
    values = int((study.nature[study.labelled] == schema.VALUE).sum())
    failures = int((study.nature[study.labelled] == schema.FAILURE).sum())
    if model is not None:
        sampled = (f" (a sample of {model.trained_on:,} of them)" if model.trained_on < len(study.labelled) else "")
        return (f"Learned from the {len(study.labelled):,} rows your team classified{sampled}: {values:,} value, "
                f"{failures:,} failure; where a row has no word the model knows, the phrase list is used.")
    if not (study.words != "").any():
        return ("No customer's words in this data, so nothing to suggest from (a column of what customers said "
                "can be mapped to the customer's words field).")
    return (f"The phrase list only (chasing, repeats, no call-back, not understood, wrong, sent elsewhere): "
            f"{len(study.labelled):,} classified rows with words ({values:,} value, {failures:,} failure); "
            f"suggestions learn from your own decisions once {MIN_LEARNED} are classified with at least "
            f"{MIN_PER_NATURE} of each. The phrase list only ever suggests failure demand.")


def suggest(frame: pd.DataFrame, min_confidence: float = 0.0, *, measure: bool = True) -> Suggestions:
    """Suggestions for every row not yet classified (nature neither value nor failure), with a confidence
    at least `min_confidence`, in the frame's row order. `measure`: also measure `quality` (about as long
    again as training; nothing more when more than `TRAIN_ROWS` + `QUALITY_ROWS` rows are classified, where
    the suggestions' model is trained without the held-out rows and is the one measured). Never raises on the
    data: no words, one word, any script or 200,000 rows give a table (a row with nothing to go on has source
    "none" and confidence 0)."""
    study = _study(frame)
    surplus = _surplus(study)
    model = _train(study, np.setdiff1d(study.labelled, _held_out(study)) if surplus else study.labelled)
    open_rows = np.flatnonzero(study.nature == schema.UNCLASSIFIED)
    table = _by_text(model, study.words[open_rows])
    table.insert(0, schema.ROW, _rows(frame)[open_rows])
    if min_confidence > 0:
        table = table[table[CONFIDENCE] >= min_confidence].reset_index(drop=True)
    causes: tuple[str, ...] = tuple(str(c) for c in model.cause.classes_) if model and model.cause else ()
    return Suggestions(table=table, basis=_basis(study, model), learned=model is not None,
                       classified=len(study.labelled), trained_on=model.trained_on if model else 0,
                       causes_learned=causes,
                       quality=(_quality(study, model if surplus else None) if measure else None))


# Columns of `suggest_types`.
TYPE_ROWS = "rows"  # unclassified rows of the type
SHARE = "share"  # share of them whose suggestion is the type's suggested nature
CAUSE_SHARE = "cause_share"  # share of them whose suggested cause is the type's suggested cause


def suggest_types(frame: pd.DataFrame, suggestions: Suggestions | None = None) -> pd.DataFrame:
    """Per demand type whose rows have no nature yet: the nature most of its rows are suggested, the share
    of its rows that suggestion covers, their mean confidence, and the cause most of them are suggested
    (blank if none), so a team can classify a whole type at once. Types most rows first; rows with no type
    are left out (they are no type to classify). Pass `suggestions` to reuse `suggest(frame)`."""
    columns = [schema.DEMAND_TYPE, TYPE_ROWS, SUGGESTED_NATURE, SHARE, CONFIDENCE, SUGGESTED_CAUSE, CAUSE_SHARE]
    if suggestions is None:
        suggestions = suggest(frame, measure=False)
    table = suggestions.table
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    types = pd.Series(_column(frame, schema.DEMAND_TYPE), index=_rows(frame))
    types = types[~types.index.duplicated()]
    kind = types.reindex(table[schema.ROW].to_numpy()).fillna("").to_numpy(dtype=object)
    work = table.assign(**{schema.DEMAND_TYPE: [" ".join(str(k).split()) for k in kind]})
    work = work[work[schema.DEMAND_TYPE] != ""]
    out = []
    for name, group in work.groupby(schema.DEMAND_TYPE, sort=False):
        given = group[group[SUGGESTED_NATURE] != ""]
        if given.empty:
            out.append((str(name), len(group), "", 0.0, 0.0, "", 0.0))
            continue
        nature = str(given[SUGGESTED_NATURE].value_counts().idxmax())
        chosen = given[given[SUGGESTED_NATURE] == nature]
        causes = chosen[SUGGESTED_CAUSE][chosen[SUGGESTED_CAUSE] != ""]
        cause = str(causes.value_counts().idxmax()) if nature == schema.FAILURE and not causes.empty else ""
        cause_share = float((chosen[SUGGESTED_CAUSE] == cause).sum() / len(group)) if cause else 0.0
        out.append((str(name), len(group), nature, len(chosen) / len(group), float(chosen[CONFIDENCE].mean()), cause,
                    cause_share))
    result = pd.DataFrame(out, columns=columns)
    return result.sort_values([TYPE_ROWS, schema.DEMAND_TYPE], ascending=[False, True], kind="stable",
                              ignore_index=True)
