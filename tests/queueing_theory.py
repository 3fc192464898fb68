"""Queueing-theory closed forms the simulation engine is checked against, written from the formulas.

Nothing here imports Workbench: these are the textbook results, so a bug in the engine cannot hide by
agreeing with itself. Rates are per minute, times in minutes.

- Erlang C (M/M/c): probability of waiting and mean wait in queue.
- Pollaczek-Khinchine (M/G/1): mean wait in queue from the first two moments of service; triangular moments.
- Erlang-A (M/M/c+M, exponential patience): the exact birth-death chain (birth lambda, death
  min(n, c) mu + max(n - c, 0) theta), truncated where its tail is negligible; and, for a cross-check, the
  closed forms of Garnett, Mandelbaum and Reiman (2002) as summarised by Mandelbaum and Zeltyn.
- Piecewise Erlang C for a roster: the stationary Erlang C of each stable period.
- Batch means: the standard error of a long correlated run's mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# ------------------------------------------------------------------------------------------ Erlang B / C


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load a = lambda / mu (the stable recursion)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load a = lambda / mu (needs a < c)."""
    if not 0 <= a < c:
        raise ValueError(f"M/M/{c} is unstable at offered load {a}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def erlang_c_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of all arrivals in M/M/c: C(c, a) / (c mu - lambda)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def relaxation_time(c: int, lam: float, mu: float) -> float:
    """The time a heavily loaded M/M/c queue takes to forget its state, 1 / (c mu (1 - sqrt(rho))^2)
    (Morse's relaxation time of M/M/1 with service rate c mu): used to size runs and warm-ups."""
    rho = lam / (c * mu)
    return 1.0 / (c * mu * (1.0 - math.sqrt(rho)) ** 2)


# ------------------------------------------------------------------------------------------ M/G/1


def triangular_moments(low: float, mode: float, high: float) -> tuple[float, float]:
    """Mean and second moment E[S^2] of a triangular distribution."""
    mean = (low + mode + high) / 3.0
    var = (low * low + mode * mode + high * high - low * mode - low * high - mode * high) / 18.0
    return mean, var + mean * mean


def pollaczek_khinchine_wait(lam: float, mean: float, second_moment: float) -> float:
    """Mean wait in queue of M/G/1: lambda E[S^2] / (2 (1 - rho))."""
    rho = lam * mean
    if not 0 <= rho < 1:
        raise ValueError(f"M/G/1 is unstable at rho {rho}")
    return lam * second_moment / (2.0 * (1.0 - rho))


# ------------------------------------------------------------------------------------------ Erlang-A


@dataclass(frozen=True)
class ErlangA:
    p_wait: float  # an arrival finds every server busy (PASTA)
    p_abandon: float  # it gives up before being answered
    mean_queue: float  # time-average number waiting
    mean_wait: float  # mean time in queue of all callers (abandoned ones until they give up)
    mean_wait_answered: float  # mean time in queue of the callers who were answered
    p_answered: float  # by the arrivals' own fates (PASTA): 1 - p_abandon, a check on the chain
    states: int  # where the chain was truncated


def _erlang_a_states(c: int, lam: float, mu: float, theta: float, tail: float = 1e-15) -> np.ndarray:
    """Stationary probabilities of M/M/c+M's number in the system, truncated where the rest is below `tail`."""
    if theta <= 0:
        raise ValueError("Erlang-A needs a positive abandonment rate; use erlang_c without one")
    log_w = [0.0]  # log of the unnormalised pi_n
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        log_w.append(log_w[-1] + math.log(lam) - math.log(death))
        # past the mode, the terms fall geometrically at least as fast as lam / death: stop when the rest
        # of the tail is below `tail` of the largest term
        if n > c and lam < death:
            ratio = lam / death
            if log_w[-1] - max(log_w) + math.log(1.0 / (1.0 - ratio)) < math.log(tail):
                break
    w = np.exp(np.array(log_w) - max(log_w))
    return w / w.sum()


def erlang_a(c: int, lam: float, mu: float, theta: float, tail: float = 1e-15) -> ErlangA:
    """M/M/c+M by its birth-death chain: birth lambda, death min(n, c) mu + max(n - c, 0) theta.

    P(abandon) = theta E[queue] / lambda and mean wait of all callers = E[queue] / lambda (Little's law on
    the queue). An arrival that finds j callers already queued (FCFS) moves up at rate c mu + i theta with i
    ahead and gives up at rate theta, so it is answered with probability c mu / (c mu + (j + 1) theta)
    (the product telescopes) after sum_{i=0..j} 1 / (c mu + (i + 1) theta) minutes on average.
    """
    pi = _erlang_a_states(c, lam, mu, theta, tail)
    states = np.arange(len(pi))
    queued = np.maximum(states - c, 0)
    mean_queue = float((queued * pi).sum())
    p_wait = float(pi[c:].sum())
    # answered callers: those who found a free server (wait 0) or were answered after waiting
    j = queued[c:]
    served = c * mu / (c * mu + (j + 1) * theta)
    harmonic = np.cumsum(1.0 / (c * mu + (np.arange(len(j)) + 1) * theta))
    p_answered = float(pi[:c].sum() + (pi[c:] * served).sum())
    wait_answered = float((pi[c:] * served * harmonic).sum())
    return ErlangA(p_wait=p_wait, p_abandon=theta * mean_queue / lam, mean_queue=mean_queue,
                   mean_wait=mean_queue / lam, mean_wait_answered=wait_answered / p_answered,
                   p_answered=p_answered, states=len(pi))


def erlang_a_service_level(c: int, lam: float, mu: float, theta: float, t: float, tail: float = 1e-13
                            ) -> float:
    """P(a caller is answered within t minutes) in M/M/c+M, callers who give up counting as not answered.

    An arrival finding a free agent is answered at once; one finding j callers queued ahead (PASTA) moves up
    at rate c mu + k theta with k ahead, is answered from the head at rate c mu and gives up at rate theta.
    That small chain is solved by uniformisation (rate L = c mu + (K + 1) theta): the probability of being
    answered by t is sum_n Poisson(n; L t) x P(answered within n steps of the jump chain)."""
    pi = _erlang_a_states(c, lam, mu, theta)
    at_once = float(pi[:c].sum())
    ahead = pi[c:].copy()  # probability of k callers ahead, k = 0..K
    k = np.arange(len(ahead))
    move = c * mu + k * theta  # rate of moving up (k >= 1) or of being answered (k = 0)
    rate = float(move[-1] + theta)
    stay = 1.0 - (move + theta) / rate
    mass = rate * t
    if mass <= 0:
        return at_once
    done, n = 0.0, 0
    answered = 0.0  # P(answered within n jumps)
    while True:
        weight = math.exp(n * math.log(mass) - mass - math.lgamma(n + 1))
        done += answered * weight
        # past the mode the Poisson terms fall at least geometrically: stop when the rest is negligible
        if n > mass and weight * (n + 1) / (n + 1 - mass) < tail:
            break
        answered += float(ahead[0] * move[0] / rate)
        moved = ahead * move / rate
        ahead = ahead * stay
        ahead[:-1] += moved[1:]
        n += 1
    return at_once + done


def erlang_a_relaxation_time(c: int, lam: float, mu: float, theta: float) -> float:
    """1 / the spectral gap of the Erlang-A birth-death chain (truncated as in `erlang_a`): the time its
    state takes to forget where it started. The chain is reversible, so its generator is similar to the
    symmetric tridiagonal matrix with -(birth_n + death_n) on the diagonal and sqrt(birth_n death_{n+1})
    beside it."""
    states = erlang_a(c, lam, mu, theta).states
    n = np.arange(states)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    birth = np.where(n < states - 1, lam, 0.0)
    matrix = np.diag(-(birth + death)) + np.diag(np.sqrt(birth[:-1] * death[1:]), 1) \
        + np.diag(np.sqrt(birth[:-1] * death[1:]), -1)
    eig = np.sort(np.linalg.eigvalsh(matrix))
    return float(-1.0 / eig[-2])


def _gmr_a(x: float, y: float) -> float:
    """A(x, y) = x e^y y^-x gamma(x, y) (gamma the lower incomplete gamma function), by its series
    sum_{k>=0} y^k / ((x + 1)(x + 2)...(x + k))."""
    total, term, k = 1.0, 1.0, 0
    while True:
        k += 1
        term *= y / (x + k)
        total += term
        if k > y and term < 1e-17 * total:
            return total


def erlang_a_gmr(c: int, lam: float, mu: float, theta: float) -> tuple[float, float, float]:
    """(P(wait), P(abandon), mean wait) of M/M/c+M by the closed forms of Garnett, Mandelbaum and Reiman
    (2002), as written in Mandelbaum and Zeltyn's summary of M/M/n+G:
    P(W > 0) = A E_B / (1 + (A - 1) E_B),  P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho,  E[W] = P(Ab) / theta,
    with A = A(c mu / theta, lambda / theta), E_B the Erlang B formula and rho = lambda / (c mu)."""
    a_ = _gmr_a(c * mu / theta, lam / theta)
    eb = erlang_b(c, lam / mu)
    rho = lam / (c * mu)
    p_wait = a_ * eb / (1.0 + (a_ - 1.0) * eb)
    p_abandon = (1.0 / (rho * a_) + 1.0 - 1.0 / rho) * p_wait
    return p_wait, p_abandon, p_abandon / theta


# ------------------------------------------------------------------------------------------ rosters


@dataclass(frozen=True)
class Period:
    start: float  # minute of the day
    end: float
    staff: int
    p_wait: float  # stationary Erlang C of this period
    mean_wait: float


def piecewise_erlang_c(shifts: Sequence[tuple[float, float, int]], lam: float, mu: float) -> list[Period]:
    """The stationary M/M/c figures of each stable period of a roster (start, end, staff): a fair
    description of the queue well inside a period that lasts many relaxation times."""
    return [Period(s, e, c, erlang_c(c, lam / mu), erlang_c_mean_wait(c, lam, mu)) for s, e, c in shifts]


# ------------------------------------------------------------------------------------------ statistics


def batch_means(values: np.ndarray, batches: int = 20) -> tuple[float, float]:
    """Mean of a long correlated series and its standard error by non-overlapping batch means (the
    batches must be much longer than the series' correlation time)."""
    values = np.asarray(values, dtype=float)
    size = len(values) // batches
    if size < 2:
        raise ValueError("too few values for batch means")
    means = values[: size * batches].reshape(batches, size).mean(axis=1)
    return float(values.mean()), float(means.std(ddof=1) / math.sqrt(batches))


def time_average(starts: np.ndarray, ends: np.ndarray, t0: float, t1: float) -> float:
    """Exact time-average over [t0, t1] of the number of intervals [start, end) open: the integral of a
    step count, computed as the sum of each interval's overlap with the window."""
    overlap = np.clip(np.minimum(ends, t1) - np.maximum(starts, t0), 0.0, None)
    return float(overlap.sum() / (t1 - t0))
