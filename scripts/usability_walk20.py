"""Session 20's walk: band styles on folk tunes, a model of one's own, and faults, in a
real window (reuses scripts/usability_walk.py's helpers).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/usability_walk20.py \
        TUNES_DIR RO_DIR FULL_DIR MODEL OUT

TUNES_DIR holds two_four.mid, three_four.mid, six_eight.mid (music21 corpus tunes written
as MIDI); RO_DIR a read-only mount and FULL_DIR a full one (tiny tmpfs mounts made by
root, see docs/usability/session20.md); MODEL a model trained here (or "-"). Each step
prints what the window says; shots go to OUT. No JACK: the faults of ports are not walked.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from usability_walk import describe, generate, make_window, say, scratch_env, shot, wait  # noqa: E402


def walk(tunes: Path, read_only: Path, full: Path, model: str, out: Path) -> None:
    import mido

    from composer_gui.ui import settings

    app, window = make_window(out)
    window.offer_restore(ask=lambda: False)
    for tune, styles in (
        ("three_four", ("waltz", "country")),
        ("two_four", ("rock", "swing", "bossa nova")),
        ("six_eight", ("pop ballad",)),
    ):
        window.answers = ["discard"]
        window.open_file(tunes / f"{tune}.mid")
        wait(app, 300)
        for style in styles:
            say(f"== {tune}: {style}")
            index = window.style_box.findText(style)
            window.style_box.setCurrentIndex(index)
            window.style_box.activated.emit(index)
            wait(app)
            generate(app, window, style)
            describe(window)
            say(f"  tracks: {window.tracks.names()}")
            say(f"  chord lane: {window.chord_lane.symbols_in_view()[:8]}")
            first = window.document.candidates[0]
            say(f"  tooltip 0: {window.candidates._tooltip(0, first)!r}")
            export = out / f"{tune}-{style.replace(' ', '_')}.mid"
            window.answers = ["export"]
            window.export_to(export)
            file = mido.MidiFile(export)
            for track in file.tracks[1:]:
                chans = sorted({m.channel + 1 for m in track if hasattr(m, "channel")})
                progs = sorted({m.program for m in track if m.type == "program_change"})
                ons = sum(1 for m in track if m.type == "note_on" and m.velocity)
                say(f"    {track.name!r}: channels {chans} programs {progs} notes {ons}")
            marks = [m.text for m in file.tracks[0] if m.type == "marker"]
            say(f"    markers {len(marks)}: {marks[:6]}")
            shot(window, out, f"20-{tune}-{style.replace(' ', '_')}")
    say("== faults: Export and Save to a read-only and a full folder")
    for where in (read_only, full):
        window.errors.clear()
        window.answers = ["export"]
        ok = window.export_to(where / "take.mid")
        say(f"  export to {where}: {ok}; errors {window.errors}")
        window.errors.clear()
        ok = window.save_to(where / "walk.composer")
        say(f"  save to {where}: {ok}; errors {window.errors}")
        describe(window)
    say("== faults: a tune given as the model in Preferences")
    window.errors.clear()
    settings.put(settings.MODEL_FILE, str(tunes / "two_four.mid"))
    window.apply_output_settings()
    wait(app)
    say(f"  style box: {[window.style_box.itemText(i) for i in range(window.style_box.count())]}")
    generate(app, window, "generation with a tune as the model")
    say(f"  errors {window.errors}")
    describe(window)
    shot(window, out, "20-tune-as-model")
    if model != "-":
        say("== a model trained here, used at once")
        settings.put(settings.MODEL_FILE, model)
        window.apply_output_settings()
        wait(app)
        items = [window.style_box.itemText(i) for i in range(window.style_box.count())]
        say(f"  style box: {items}; chosen {window.style_box.currentText()!r}")
        window.answers = ["discard"]
        window.open_file(Path("resources/melodies/au_clair_de_la_lune.mid").resolve())
        wait(app, 300)
        window.errors.clear()
        generate(app, window, "own model")
        say(f"  errors {window.errors}")
        describe(window)
        if window.document.candidates:
            first = window.document.candidates[0]
            say(f"  tooltip 0: {window.candidates._tooltip(0, first)!r}")
        shot(window, out, "20-own-model")
    window.ask_before_closing = False
    window.close()
    wait(app, 300)


def main() -> None:
    tunes, read_only, full, model, out = sys.argv[1:6]
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch_env(out)
    walk(Path(tunes), Path(read_only), Path(full), model, out)


if __name__ == "__main__":
    main()
