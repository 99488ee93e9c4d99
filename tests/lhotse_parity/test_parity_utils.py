"""``lhotse_lite.utils`` gives what ``lhotse.utils`` gives: time arithmetic, spans, fastcopy, uuid4."""

import random
import uuid

import pytest


def _durations():
    rng = random.Random(0)
    values = [0.0, 0.1, 0.25, 1.0, 1.005, 2.5, 35.6, 3599.99]
    values += [(rng.randrange(10**6) + rng.choice([0.0, 0.5, rng.random()])) / 16000 for _ in range(300)]
    return values


@pytest.mark.parametrize("sampling_rate", [8000, 16000, 22050, 44100, 48000])
def test_sample_and_frame_counts(compare, sampling_rate):
    def scenario(lib, workdir):
        u = lib.utils
        return [
            [u.compute_num_samples(d, sampling_rate) for d in _durations()],
            [u.compute_num_frames(d, shift, sampling_rate) for d in _durations() for shift in (0.01, 0.0125)],
            [u.time_diff_to_num_frames(d, 0.025, 0.01) for d in _durations()],
            [u.add_durations(d, 0.1, -0.05, sampling_rate=sampling_rate) for d in _durations()],
        ]

    compare(scenario)


def test_pinned_values(compare):
    def scenario(lib, workdir):
        u = lib.utils
        return [
            u.compute_num_samples(0.1, 16000),
            u.compute_num_frames(35.6, 0.01, 22050),
            u.time_diff_to_num_frames(1.0, 0.025, 0.01),
            u.add_durations(0.1, 0.2, sampling_rate=48000),
            lib.compute_num_frames(1.005, 0.01, 16000),
            lib.add_durations(1.0, 0.5, sampling_rate=16000),
        ]

    compare(scenario, expected=[1600, 3568, 98, 0.3, 101, 1.5])


def test_time_spans(compare):
    def scenario(lib, workdir):
        u = lib.utils
        spans = [u.TimeSpan(a, b) for a, b in [(0.0, 1.0), (0.5, 2.0), (1.0, 3.0), (1.0004, 1.9995), (2.9999, 4.0)]]
        sup = lib.SupervisionSegment("s", "r", start=1.0, duration=1.0)
        return [
            [u.overlaps(x, y) for x in spans for y in spans],
            [u.overspans(x, y) for x in spans for y in spans],
            [u.overspans(sup, s) for s in spans],
            [u.overlaps(sup, s) for s in spans],
            [s.duration for s in spans],
            u.TimeSpan(1, 2) == u.TimeSpan(1, 2),
        ]

    compare(scenario)


def test_fastcopy_uuid4_and_aliases(compare):
    def scenario(lib, workdir):
        u = lib.utils
        span = u.fastcopy(u.TimeSpan(0.0, 1.0), end=3.0)
        return [
            span.end,
            span.start,
            type(u.uuid4()) is uuid.UUID,
            u.uuid4() != u.uuid4(),
            u.Seconds is float,
            lib.fastcopy(lib.SupervisionSegment("s", "r", 0.0, 1.0), id="t").id,
        ]

    compare(scenario, expected=[3.0, 0.0, True, True, True, "t"])
