"""How loud the built-in synth plays: its gain and the curve from velocity to loudness.

Measured by rendering four-track takes at default track volume (CC7 100) in every preset:
Bach's BWV 66.6 (music21 corpus; the test in tests/composer_gui/core/test_synth.py) and
the shipped model's accompaniment of Ode to Joy. With gain 0.5 and FluidSynth's velocity
curve a take as the engine writes it (melody velocity 80, accompaniment 64) peaked at
0.13-0.19 of full scale: the SoundFont default curve spans 96 dB, so velocity 64 plays at
a quarter of the amplitude of 127. With the curve spanning 30 dB and gain 0.52:

                          BWV 66.6      Ode to Joy
    melody 80, rest 64    0.41-0.58     0.33-0.50
    melody 100, rest 80   0.47-0.70     0.37-0.56
    every note at 127     0.61-0.89     0.49-0.72   (no clipping)

Velocity and track volume still shape the sound, over a narrower range.
"""

from __future__ import annotations

import logging
from types import ModuleType

log = logging.getLogger(__name__)

SYNTH_GAIN = 0.52  # FluidSynth master gain (the library's default is 0.2)
VELOCITY_RANGE_CB = 300.0  # centibels from velocity 127 down to 0 (the SF2 default: 960)

# SoundFont 2.01 modulator numbers (FluidSynth's fluid_mod_src, fluid_mod_flags, fluid_gen_type)
_MOD_VELOCITY = 2
_MOD_NEGATIVE, _MOD_CONCAVE = 1, 4
_GEN_ATTENUATION = 48
_SYNTH_OVERWRITE = 0


def set_velocity_range(fluidsynth: ModuleType, fs, centibels: float) -> None:
    """Replace the default velocity-to-attenuation modulator's amount (960 cB) on ``fs``.

    pyfluidsynth does not wrap modulators, so the library is called through its own
    ``cfunc`` helper. A FluidSynth older than 2.1 lacks the call: the default curve then
    stays (quieter, never louder), which is logged rather than refused.
    """
    from ctypes import c_double, c_int, c_void_p

    cfunc = fluidsynth.cfunc
    new_mod = cfunc("new_fluid_mod", c_void_p)
    add_default_mod = cfunc(
        "fluid_synth_add_default_mod",
        c_int,
        ("synth", c_void_p, 1),
        ("mod", c_void_p, 1),
        ("mode", c_int, 1),
    )
    if new_mod is None or add_default_mod is None:
        log.warning("This FluidSynth cannot change its velocity curve; the synth plays quieter.")
        return
    source = (("mod", c_void_p, 1), ("src", c_int, 1), ("flags", c_int, 1))
    set_source1 = cfunc("fluid_mod_set_source1", None, *source)
    set_source2 = cfunc("fluid_mod_set_source2", None, *source)
    set_dest = cfunc("fluid_mod_set_dest", None, ("mod", c_void_p, 1), ("dest", c_int, 1))
    set_amount = cfunc("fluid_mod_set_amount", None, ("mod", c_void_p, 1), ("v", c_double, 1))
    delete_mod = cfunc("delete_fluid_mod", None, ("mod", c_void_p, 1))
    mod = new_mod()
    try:
        # The same sources, flags and destination as the default modulator, so it is replaced.
        set_source1(mod, _MOD_VELOCITY, _MOD_NEGATIVE | _MOD_CONCAVE)
        set_source2(mod, 0, 0)
        set_dest(mod, _GEN_ATTENUATION)
        set_amount(mod, centibels)
        if add_default_mod(fs.synth, mod, _SYNTH_OVERWRITE) != 0:
            log.warning("FluidSynth refused the velocity curve; the synth plays quieter.")
    finally:
        delete_mod(mod)
