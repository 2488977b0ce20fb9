"""The simulated desk's model: who calls when, wanting what, how patient, and the staff.

Every default is stated in docs/SIMULATION.md with the reason for it. The model draws only
from its own seeded random generator, so one seed always gives the same victims.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

# Relative arrivals per half-hour from 08:00 (a morning peak, a lunchtime dip, a smaller
# afternoon peak, a quiet evening): the shape of a typical public-service helpline's day.
DAY_SHAPE = (
    0.6, 0.9, 1.3, 1.5, 1.5, 1.4, 1.3, 1.2, 1.0, 1.0, 1.1, 1.2,
    1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3,
)  # fmt: skip
WEEKEND_INTENSITY = 0.7  # weekend hours are quieter than weekday ones
INTENTS = ("status", "person", "callback")


@dataclass(frozen=True)
class Model:
    """Everything a simulated day is drawn from (all times in seconds)."""

    monthly_calls: int = 26_000  # offered calls a month at the seeds' desk, redials included
    first_call_share: float = 0.7  # the rest of the seeds' calls were redials
    opens: dt.time = dt.time(8, 0)
    weekday_closes: dt.time = dt.time(20, 0)
    weekend_closes: dt.time = dt.time(16, 0)
    intents: tuple[float, float, float] = (0.55, 0.35, 0.10)  # status, person, callback
    patience_median: float = 300.0
    patience_sigma: float = 1.0
    patience_cap: float = 45 * 60.0  # the seeds' longest wait before giving up
    redial_chance: float = 0.8
    redial_mean_delay: float = 30 * 60.0
    redial_min_delay: float = 2 * 60.0
    max_calls: int = 5  # a victim's calls in one day, the first included
    accepts_callback: float = 0.75  # takes the callback offered while waiting
    safe_message: float = 0.8  # says a message may be left
    callback_answers: float = 0.85  # answers the callback in person
    callback_voicemail: float = 0.10  # voicemail picks up (the rest never answer)
    agents: int = 5
    handle_median: float = 240.0
    handle_sigma: float = 0.6
    wrap_up: float = 60.0
    agent_answer_after: float = 3.0
    agent_pause_return: float = 60.0  # a paused agent makes themselves available again
    timezone: str = "Europe/London"

    def with_changes(self, **changes: object) -> Model:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def closes(self, day: dt.date) -> dt.time:
        """Return the desk's closing time on `day`."""
        return self.weekend_closes if day.weekday() >= 5 else self.weekday_closes

    def daily_calls(self, day: dt.date) -> float:
        """Return the offered calls expected on `day` (weekend hours are shorter and quieter)."""
        weekend_day = _slots(self.opens, self.weekend_closes) / len(DAY_SHAPE) * WEEKEND_INTENSITY
        per_weekday = self.monthly_calls / (365.25 / 12 * (5 + 2 * weekend_day) / 7)
        return per_weekday * (weekend_day if day.weekday() >= 5 else 1.0)


@dataclass(frozen=True)
class Victim:
    """One simulated victim: their case, what they want, and how they behave."""

    number: int
    phone: str
    reference: str
    dob: dt.date
    enhanced: bool
    intent: str
    first_call: dt.datetime
    patience: tuple[float, ...]  # per call, in seconds of queueing
    redial_delays: tuple[float | None, ...]  # after each abandoned call; None: gives up
    accepts_callback: bool
    safe_message: bool
    callback_phone: str  # "answers", "voicemail" or "never"
    status_detail: str = field(default="")

    @property
    def keyed_reference(self) -> str:
        """Return the reference as keyed on a phone (star for the slash)."""
        return self.reference.replace("/", "*") + "#"

    @property
    def keyed_dob(self) -> str:
        """Return the date of birth as keyed (DDMMYYYY#)."""
        return self.dob.strftime("%d%m%Y") + "#"


def _slots(opens: dt.time, closes: dt.time) -> int:
    minutes = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
    return max(0, minutes // 30)


def arrival_rate(model: Model, day: dt.date) -> list[tuple[dt.datetime, float]]:
    """Return (half-hour start, expected first calls) for every open half-hour of `day`."""
    zone = ZoneInfo(model.timezone)
    shape = DAY_SHAPE[: _slots(model.opens, model.closes(day))]
    fresh = model.daily_calls(day) * model.first_call_share
    start = dt.datetime.combine(day, model.opens, tzinfo=zone)
    total = sum(DAY_SHAPE[: len(shape)]) or 1.0
    return [
        (start + dt.timedelta(minutes=30 * i), fresh * weight / total)
        for i, weight in enumerate(shape)
    ]


def victims(
    model: Model, day: dt.date, seed: int, window: tuple[dt.datetime, dt.datetime] | None = None
) -> list[Victim]:
    """Draw the day's victims (first calls inside `window` if given), reproducibly from `seed`."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    people: list[Victim] = []
    for slot, expected in arrival_rate(model, day):
        for _ in range(_poisson(rng, expected)):
            at = slot + dt.timedelta(seconds=rng.uniform(0, 1800))
            people.append(_victim(model, rng, len(people), at))
    people.sort(key=lambda v: v.first_call)
    if window is not None:
        people = [v for v in people if window[0] <= v.first_call < window[1]]
    return people


def _victim(model: Model, rng: random.Random, number: int, at: dt.datetime) -> Victim:
    intent = rng.choices(INTENTS, weights=model.intents)[0]
    reachable = rng.random()
    phone = (
        "answers"
        if reachable < model.callback_answers
        else "voicemail"
        if reachable < model.callback_answers + model.callback_voicemail
        else "never"
    )
    return Victim(
        number=number,
        phone=f"+4477009{number % 100_000:05d}",
        reference=f"{8000000 + number:07d}/26",
        dob=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55)),
        enhanced=rng.random() < 0.2,
        intent=intent,
        first_call=at,
        patience=tuple(_patience(model, rng) for _ in range(model.max_calls)),
        redial_delays=tuple(_redial(model, rng) for _ in range(model.max_calls - 1)),
        accepts_callback=rng.random() < model.accepts_callback,
        safe_message=rng.random() < model.safe_message,
        callback_phone=phone,
        status_detail=f"Update {number}: the officer has reviewed the evidence.",
    )


def _patience(model: Model, rng: random.Random) -> float:
    drawn = rng.lognormvariate(math.log(model.patience_median), model.patience_sigma)
    return min(max(drawn, 5.0), model.patience_cap)


def _redial(model: Model, rng: random.Random) -> float | None:
    if rng.random() >= model.redial_chance:
        return None
    return model.redial_min_delay + rng.expovariate(1 / model.redial_mean_delay)


def handle_time(model: Model, rng: random.Random) -> float:
    """Draw one agent conversation's length."""
    return rng.lognormvariate(math.log(model.handle_median), model.handle_sigma)


def _poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count (Knuth's method in chunks, fine for a half-hour's arrivals)."""
    count = 0
    while mean > 0:
        step = min(mean, 30.0)
        mean -= step
        limit, product = math.exp(-step), rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
    return count
