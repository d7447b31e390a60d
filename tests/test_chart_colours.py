"""Every palette of the charts stays readable for colour-blind readers: each pair of
its colours stays apart when a colour-vision deficiency is simulated, and each
colour has 3:1 contrast on white (WCAG 1.4.11, graphics). The palettes are found
by name in market/charts.py (every ``*_COLOURS``), so a new one is checked too."""

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from market import charts

PALETTES = {
    name: list(value.values()) if isinstance(value, dict) else list(value)
    for name, value in vars(charts).items()
    if name.endswith("_COLOURS")
}
# Machado, Oliveira and Fernandes (2009), as colorspacious simulates them, at full strength.
DEFICIENCIES = ["deuteranomaly", "protanomaly", "tritanomaly"]
# The least distance in CAM02-UCS between two colours of a palette, seen normally
# or through each deficiency: about 12 times the smallest difference anyone notices.
LEAST_DISTANCE = 12


def rgb(colour):
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def seen(colour, deficiency):
    if deficiency is None:
        return rgb(colour)
    simulated = cspace_convert(
        rgb(colour), {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"
    )
    return np.clip(simulated, 0, 1)


def contrast_on_white(colour):
    linear = np.where(rgb(colour) <= 0.03928, rgb(colour) / 12.92,
                      ((rgb(colour) + 0.055) / 1.055) ** 2.4)  # fmt: skip
    return 1.05 / (0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] + 0.05)


def test_the_palettes_are_found():
    assert {"KIND_COLOURS", "GROUP_COLOURS", "SEGMENT_COLOURS"} <= set(PALETTES)


@pytest.mark.parametrize("name", sorted(PALETTES))
@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_each_pair_of_a_palette_stays_apart(name, deficiency):
    close = [
        (a, b, round(float(distance), 1))
        for a, b in itertools.combinations(PALETTES[name], 2)
        if (distance := deltaE(seen(a, deficiency), seen(b, deficiency),
                               input_space="sRGB1", uniform_space="CAM02-UCS")) < LEAST_DISTANCE
    ]  # fmt: skip
    assert not close, f"{name} seen with {deficiency or 'normal vision'}: {close}"


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_each_colour_has_3_to_1_contrast_on_white(name):
    faint = [c for c in PALETTES[name] if contrast_on_white(c) < 3]
    assert not faint, f"{name}: {faint}"
