"""Service times from the data and from lognormal / gamma distributions (issue 14).

Draws are checked against the distributions' own moments and quantiles within sampling error; fits against
the statistics of the data computed here with numpy.
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from workbench import cli, schema
from workbench.flow.expected import FlowError
from workbench.flow.model import Duration, gamma_cdf, parse_map
from workbench.flow.routing import DemandKind
from workbench.sim.compare import compare, data_problem, step_time_words
from workbench.sim.engine import (
    Arrival,
    Draws,
    ServiceTimeError,
    sample_minutes,
    service_minutes_by_type,
    simulate,
)
from workbench.sim.service_times import MIN_PER_TYPE, Sampler, fit, gamma_draw

N = 20_000


def uniforms(n: int = N, key: int = 5) -> list[float]:
    return [Draws(key, 0, i, 1, 0).uniform() for i in range(n)]


def test_lognormal_draws_have_the_mean_sd_and_median_asked_for() -> None:
    d = Duration(likely=6, sd=4, distribution="lognormal")
    x = np.array([sample_minutes(d, u) for u in uniforms()])
    # mean 6, sd 4: SE of the mean 4/sqrt(20000) = 0.028
    assert abs(x.mean() - 6) < 4 * 4 / math.sqrt(N)
    sigma2 = math.log(1 + (4 / 6) ** 2)
    assert np.median(x) == pytest.approx(6 / math.sqrt(1 + (4 / 6) ** 2), rel=0.03)  # exp(mu)
    assert np.log(x).std() == pytest.approx(math.sqrt(sigma2), rel=0.02)
    # inverse CDF: u = 0.5 is the median exactly
    assert sample_minutes(d, 0.5) == pytest.approx(math.exp(math.log(6) - sigma2 / 2))


@pytest.mark.parametrize(("mean", "sd"), [(6.0, 4.0), (10.0, 2.0), (3.0, 6.0)])
def test_gamma_draws_have_the_mean_sd_and_quantiles_asked_for(mean: float, sd: float) -> None:
    d = Duration(likely=mean, sd=sd, distribution="gamma")
    x = np.array([sample_minutes(d, u) for u in uniforms()])
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(N)
    assert x.std() == pytest.approx(sd, rel=0.05)
    # the empirical CDF at the draws' quartiles agrees with the gamma CDF (computed by series / continued
    # fraction in the model) within 4 binomial SE
    shape, scale = (mean / sd) ** 2, sd * sd / mean
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        xq = float(np.quantile(x, q))
        assert abs(gamma_cdf(shape, xq / scale) - q) < 4 * math.sqrt(q * (1 - q) / N) + 1e-3
    # the same uniform always gives the same time (common random numbers)
    assert gamma_draw(shape, scale, 0.3) == gamma_draw(shape, scale, 0.3)


def test_gamma_cdf_against_known_values() -> None:
    # shape 1 is the exponential; shape 2: 1 - e^-x (1 + x)
    assert gamma_cdf(1, 2.0) == pytest.approx(1 - math.exp(-2))
    assert gamma_cdf(2, 3.0) == pytest.approx(1 - math.exp(-3) * 4)
    assert gamma_cdf(0.5, 0.5) == pytest.approx(math.erf(math.sqrt(0.5)))
    assert gamma_cdf(30, 45.0) == pytest.approx(0.99, abs=0.01)


def test_fits_use_the_statistics_of_the_data() -> None:
    rng = np.random.default_rng(1)
    data = rng.lognormal(2.0, 0.5, size=500)
    ln = fit(data, "lognormal")
    assert (ln.a, ln.b) == pytest.approx((np.log(data).mean(), np.log(data).std(ddof=1)))
    g = fit(data, "gamma")
    assert g.a * g.b == pytest.approx(data.mean())
    assert g.a * g.b * g.b == pytest.approx(data.var(ddof=1))
    # resampling: the draws are the data's values, their mean the data's mean within sampling error
    emp = fit(data, "")
    x = np.array([emp.draw(u) for u in uniforms()])
    assert set(np.round(x, 9)) <= set(np.round(data, 9))
    assert abs(x.mean() - data.mean()) < 4 * data.std() / math.sqrt(N)
    assert np.quantile(x, 0.9) == pytest.approx(np.quantile(data, 0.9), rel=0.03)
    # draws from a fit match the fitted distribution
    y = np.array([ln.draw(u) for u in uniforms()])
    assert np.log(y).mean() == pytest.approx(ln.a, abs=4 * ln.b / math.sqrt(N))
    assert np.quantile(np.log(y), 0.9) == pytest.approx(ln.a + ln.b * NormalDist().inv_cdf(0.9), abs=0.02)
    assert "lognormal fitted to 500 recorded times" in ln.describe()


def test_a_type_with_few_times_uses_every_type() -> None:
    s = Sampler({"Repair": [10.0] * 20, "Rare": [1.0] * (MIN_PER_TYPE - 1)})
    assert s.for_type("Repair", "").values == (10.0,) * 20
    rare = s.for_type("Rare", "")
    assert rare.pooled and rare.n == 20 + MIN_PER_TYPE - 1
    assert s.for_type("Unknown", "").pooled


def frame(minutes: list[float | None], types: list[str]) -> pd.DataFrame:
    n = len(minutes)
    return pd.DataFrame({
        schema.RECEIVED_AT: pd.date_range("2026-03-02 09:00", periods=n, freq="13min"),
        schema.DEMAND_TYPE: types, schema.TOUCHPOINT: ["Phone"] * n, schema.NATURE: ["value"] * n,
        schema.FAILURE_CAUSE: [""] * n, schema.HANDLING_MINUTES: minutes,
    })


MAP = """
name: From data
roles:
  - {id: agent, name: Agent, staff: 50, hours_per_day: 24, days_per_week: 7}
entry: answer
steps:
  - id: answer
    name: Answer the call
    role: agent
    touch: TOUCH
"""


def test_simulated_touch_times_come_from_the_demand_s_own_type() -> None:
    minutes = [5.0] * 10 + [20.0] * 10
    f = frame(minutes, ["Quick"] * 10 + ["Slow"] * 10)
    service = service_minutes_by_type(f)
    assert service == {"Quick": [5.0] * 10, "Slow": [20.0] * 10}
    m = parse_map(MAP.replace("TOUCH", "from_data"))
    arr = [Arrival(i + 1, i + 1, 30.0 * i, DemandKind(t, "value", "", "Phone"))
           for i, t in enumerate(["Quick", "Slow"] * 20)]
    d = simulate(m, arr, service_minutes=service).demands
    assert (d.loc[d["demand_type"] == "Quick", "touch_minutes"] == 5).all()
    assert (d.loc[d["demand_type"] == "Slow", "touch_minutes"] == 20).all()


def test_a_step_from_data_without_handling_minutes_is_refused_in_plain_words() -> None:
    m = parse_map(MAP.replace("TOUCH", "{from_data: true, fit: gamma}"))
    f = frame([None] * 12, ["Quick"] * 12)
    with pytest.raises(ServiceTimeError, match="step 'Answer the call' takes its time from the data") as err:
        compare([m, m.copy(source="other")], f, replications=1, warmup_weeks=0)
    assert isinstance(err.value, FlowError)  # what the CLI prints as a message, not a traceback
    assert data_problem([m], f) == str(err.value)
    assert data_problem([m], frame([4.0] * 12, ["Quick"] * 12)) is None
    # with handling minutes the comparison runs, and the step's times have the data's mean
    f = frame([float(x) for x in range(1, 13)], ["Quick"] * 12)
    result = compare([m], f, replications=1, warmup_weeks=0)
    assert result.designs[0].replications[0]["touch_minutes_mean"] > 0


ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"


def test_map_show_states_each_step_s_time_and_the_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = MAP.replace("TOUCH", "{from_data: true, fit: lognormal}")
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["map", "show", str(path), "--demand", str(SAMPLE_CSV), "--catalogue", str(SAMPLE_CATALOGUE)]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(SAMPLE_CSV)
    logs = np.log(pd.to_numeric(frame["handling_minutes"], errors="coerce").dropna().loc[lambda x: x > 0])
    assert (f"Answer the call: from the data, all types: lognormal fitted to {len(logs):,} recorded times"
            in out)
    assert f"(log-mean {logs.mean():.3f}, log-sd {logs.std(ddof=1):.3f})" in out
    assert "Agent: 50 staff, 24 hours a day from 08:00, 7 days a week" in out


def test_compare_on_the_command_line_says_when_handling_minutes_are_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MAP.replace("TOUCH", "from_data"), encoding="utf-8")
    demand = tmp_path / "d.csv"
    pd.read_csv(SAMPLE_CSV).drop(columns=["handling_minutes"]).to_csv(demand, index=False)
    code = cli.main(["compare", str(path), str(path), "--demand", str(demand), "--catalogue", str(SAMPLE_CATALOGUE),
                     "--replications", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code != 0
    assert "step 'Answer the call' takes its time from the data" in err and "Traceback" not in err


def test_compare_states_the_fit_and_the_queues() -> None:
    m = parse_map(MAP.replace("TOUCH", "{from_data: true, fit: gamma}"))
    f = frame([float(x) for x in range(1, 13)], ["Quick"] * 12)
    words = step_time_words(m, f)
    x = np.arange(1.0, 13.0)
    shape, scale = x.mean() ** 2 / x.var(ddof=1), x.var(ddof=1) / x.mean()
    assert words == {"Answer the call": [
        f"from the data, all types: gamma fitted to 12 recorded times: mean {x.mean():.1f} min, sd "
        f"{x.std(ddof=1):.1f} min (shape {shape:.3f}, scale {scale:.3f} min)"]}
    result = compare([m], f, replications=1, warmup_weeks=0)
    q = result.queues()
    assert list(q["design"]) == ["From data"] and q["visits"].sum() == 12
