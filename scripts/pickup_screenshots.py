"""Screenshots of the Melody panel for three tunes, to see the pickup as the app reads it.

    .venv/bin/python scripts/pickup_screenshots.py [--out DIR] [--full] [--generate]

Runs offscreen at 1280x800 with a scratch settings store and grabs the Melody panel
(``--full``: the whole window) for: Greensleeves with its one-beat pickup, written as a
notation program exports it (the pickup at tick 0, 3/4 from tick 0); Twinkle, Twinkle
(the app's sample, no pickup); and a 6/8 jig of O'Neill's with a one-eighth pickup
(``oneills1850/0001-0050#19``, written the same way by ``benchmarks/corpus_tunes``).
Each is grabbed with the Pickup box on auto, and Greensleeves also with "none" and with
a given two beats; ``--generate`` adds the whole window after generating for it.
``--take`` records a take of two bars of 3/4 with the on-screen keys (the real recorder,
no MIDI port), its pickup played into the count-in: grabbed while it records (the
count-in's bar drawn before bar 1) and after (the pickup kept as its short bar). The
shots in docs/screenshots/pickup-*.png come from this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from window_shots import (  # noqa: E402 - sets the offscreen platform before Qt loads
    ROOT,
    generate_and_wait,
    offscreen_window,
    settle,
)

JIG = "oneills1850/0001-0050#19"  # a 6/8 tune whose pickup the detector finds (tests)

# Greensleeves in 3/4, A minor, with its pickup (A) written at beat 0 as notation
# programs export it: (pitch, start beat, beats). The shipped sample leaves the pickup out.
GREENSLEEVES = [
    (69, 0, 1), (72, 1, 2), (74, 3, 1), (76, 4, 1.5), (77, 5.5, 0.5), (76, 6, 1),
    (74, 7, 2), (71, 9, 1), (67, 10, 1.5), (69, 11.5, 0.5), (71, 12, 1), (72, 13, 2),
    (69, 15, 1), (69, 16, 1.5), (68, 17.5, 0.5), (69, 18, 1), (71, 19, 2), (68, 21, 1),
    (64, 22, 2), (69, 24, 1), (72, 25, 2), (74, 27, 1), (76, 28, 1.5), (77, 29.5, 0.5),
    (76, 30, 1), (74, 31, 2), (71, 33, 1), (67, 34, 1.5), (69, 35.5, 0.5), (71, 36, 1),
    (72, 37, 1.5), (71, 38.5, 0.5), (69, 39, 1), (68, 40, 1.5), (66, 41.5, 0.5),
    (68, 42, 1), (69, 43, 2),
]  # fmt: skip


def write_greensleeves(path: Path) -> Path:
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    notes = [Note(p, float(s), float(d), 80) for p, s, d in GREENSLEEVES]
    write_arrangement(Arrangement([Track("melody", notes)], 92.0, (3, 4)), path)
    return path


def write_jig(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "corpus_tunes", ROOT / "benchmarks/corpus_tunes.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_tunes", module)
    spec.loader.exec_module(module)
    ref = next(r for r in module.index_tunes() if r.name == JIG)
    module.write_midi(module.parse_tune(ref), path)
    return path


def choose_pickup(window, pickup) -> None:
    """As a click in the Pickup box does (``activated``, which the window hears)."""
    index = window.pickup_box.findData(pickup)
    window.pickup_box.setCurrentIndex(index)
    window.pickup_box.activated.emit(index)


# The take: Greensleeves' first two bars at 60 BPM, its pickup (A) on the count-in's
# last click, played on the on-screen keys: (pitch, start beat from bar 1, beats).
TAKE = [(69, -1.0, 0.9), (72, 0.0, 1.9), (74, 2.0, 0.9), (76, 3.0, 1.4), (77, 4.5, 0.4)]


def record_take(app, window, shot) -> None:
    """Record ``TAKE`` with the count-in and no metronome (no sound is needed), shooting
    ``take-count-in`` in bar 1's second beat and ``take-kept`` after the take."""
    from composer_gui.core.tune import NewTune
    from composer_gui.ui import settings

    settings.put(settings.MIDI_INPUT, "")  # the on-screen keys only
    window.document.new(discard=True, defaults=NewTune(tempo_bpm=60.0))
    window.document.set_meter((3, 4))
    window.transport.tempo.setValue(60.0)
    window.transport.bars.setValue(2)
    window.actions.metronome.setChecked(False)
    window.actions.count_in.setChecked(True)
    window.actions.record.setChecked(True)
    take = window.take
    events = sorted(
        [(start, "on", pitch) for pitch, start, _ in TAKE]
        + [(start + length, "off", pitch) for pitch, start, length in TAKE]
    )
    shot_at, shot_done = 1.5, False
    while window.take is not None:
        beats = take.recorder.beats_now()
        while events and events[0][0] <= beats:
            _beat, kind, pitch = events.pop(0)
            if kind == "on":
                take.note_on(pitch, 80)
            else:
                take.note_off(pitch)
        if not shot_done and beats >= shot_at:
            shot("take-count-in")
            shot_done = True
        app.processEvents()
    shot("take-kept")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full", action="store_true", help="grab the whole window")
    parser.add_argument("--prefix", default="pickup", help="the shots' file name prefix")
    parser.add_argument("--take", action="store_true", help="also a take's count-in")
    parser.add_argument(
        "--generate",
        action="store_true",
        help="also the whole window after generating for Greensleeves (the shipped waltz)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app, window, scratch = offscreen_window()
    from composer_gui.paths import resource_path

    def shot(name: str) -> None:
        settle()
        widget = window if args.full else window.melody_panel
        path = args.out / f"{args.prefix}-{name}.png"
        widget.grab().save(str(path))
        box = window.pickup_box.currentText()
        print(f"wrote {path.name}: {box!r}, {window.document.bars} bars")

    tunes = [
        ("greensleeves", write_greensleeves(scratch / "greensleeves.mid")),
        ("twinkle", resource_path("melodies", "twinkle_twinkle.mid")),
        ("jig-6-8", write_jig(scratch / "jig.mid")),
    ]
    for name, path in tunes:
        window.open_file(path, asked=True)
        shot(name)
        if name == "greensleeves":
            choose_pickup(window, "none")
            shot(f"{name}-none")
            choose_pickup(window, 8)  # two beats: a given pickup
            shot(f"{name}-given")
    if args.take:
        record_take(app, window, shot)
    if args.generate:
        window.open_file(tunes[0][1], asked=True)
        # the waltz (a chord a bar) when the band model is shipped, chosen as a click does
        index = window.style_box.findData("waltz")
        if index >= 0:
            window.style_box.setCurrentIndex(index)
            window.style_box.activated.emit(index)
        if not generate_and_wait(app, window):
            return 1
        window.candidates.select(0)
        settle()
        path = args.out / f"{args.prefix}-greensleeves-window.png"
        window.grab().save(str(path))
        print(f"wrote {path.name}: chords {window.document.picked.chords[:8]}")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
