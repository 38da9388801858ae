"""The window's generation flow: Generate, Cancel, the takes and choosing a candidate.

A generation is asked for the melody on screen at that moment; when it comes back the
document files it as a take *made for that melody* (so later edits make it stale rather
than silently wrong). The candidate list and the history combo only send intents
(show this take, pick that candidate); the view follows the document.
"""

from __future__ import annotations

import logging

from composer_gui.core.generate_request import GenerateRequest
from composer_gui.ui.workers import generate_candidates

log = logging.getLogger(__name__)

NO_MELODY = "There is no melody yet: record one, open a MIDI file or pick a sample first."


class GenerationFlow:
    """Mixed into MainWindow."""

    def generate(self) -> None:
        if self.runner.busy and self.generate_job is not None:
            return
        melody = self.document.melody_arrangement()
        if melody is None:
            self.report_error(NO_MELODY)
            return
        refusal = self.style_refusal()  # a style restored with a meter it never learnt
        if refusal:
            self.report_error(refusal)
            return
        allow_long = None  # any length is accompanied whole (in sections past MAX_BARS)
        made_for = tuple(self.document.melody)
        pickup = self.document.pickup
        asked = self.document.style  # as shown: the box may move while the engine writes
        self.progress.setValue(0)
        self.statusBar().showMessage("Writing accompaniments...")
        doc = self.document
        request = GenerateRequest(
            melody,
            k=self.count.value(),
            density=doc.density,
            variety=doc.variety,
            preset=doc.preset,
            allow_long=allow_long,
            style=self.request_style(),
            pickup=pickup,
        )
        # Each callback knows its own job: a job cancelled by Esc, New or Open may still
        # finish or fail on the worker after a new one started, and must not take the new
        # one's place (its candidates would land on the new tune, its error on the new job).
        own: list = []
        self.generate_job = self.runner.run(
            generate_candidates,
            self.engine,
            request,
            on_done=lambda candidates: self._generated(own[0], candidates, made_for, pickup, asked),
            on_error=lambda message: self._generation_failed(own[0], message),
            on_progress=lambda share: self._generation_progress(own[0], share),
        )
        own.append(self.generate_job)
        self.update_enabled()

    def cancel_generation(self, quietly: bool = False) -> None:
        """Cancel (Esc), or ``quietly`` when New or Open replaced the tune it was written
        for: its candidates used to arrive on the new tune, called stale."""
        if self.generate_job is not None:
            self.generate_job.cancel()
            if not quietly:
                self.statusBar().showMessage("Generation cancelled.", 4000)
            self.generate_job = None
            self.update_enabled()

    def _generation_progress(self, job, share: float) -> None:
        if job is self.generate_job:
            self.progress.setValue(round(100 * share))

    def _generated(
        self, job, candidates: list, made_for: tuple, pickup=None, asked: str | None = None
    ) -> None:
        if job is not self.generate_job:  # cancelled, and perhaps replaced since
            return
        self.generate_job = None
        self.update_enabled()
        if job.cancelled or not candidates:
            return
        engine = self.engine.engine
        if engine is not None:
            self.device_label.setText(f"Model on {engine.device_name}")
        self.document.add_take(list(candidates), made_for, pickup, asked_style=asked)
        self.document.pick_candidate(0)
        keys = f"1-{min(9, len(candidates))}" if len(candidates) > 1 else "1"
        more = ", ] and [ for the next and previous" if len(candidates) > 9 else ""
        said = f"{len(candidates)} accompaniments, best first. Press {keys} to hear one{more}."
        note = getattr(candidates[0], "model_note", "")  # a barely trained model, tied scores
        # a note stays until the next message: it is about every candidate of the take
        self.statusBar().showMessage(f"{note} {said}" if note else said, 0 if note else 6000)
        self.generation_done.emit()

    def _generation_failed(self, job, message: str) -> None:
        if job is not self.generate_job:  # cancelled, and perhaps replaced since
            return
        self.generate_job = None
        self.update_enabled()
        self.statusBar().clearMessage()
        if not job.cancelled:
            self.report_error(message)

    def warm_up_engine(self) -> None:
        """Load the model in the background so the first Generate is quick."""
        self.runner.run(
            self.engine.get,
            on_done=self._engine_ready,
            on_error=lambda message: self.device_label.setText("Model not loaded: " + message),
        )

    def _engine_ready(self, engine) -> None:
        log.info("Model ready on %s", engine.device_name)
        self.device_label.setText(f"Model ready on {engine.device_name}")

    # --- the list sends intents ---------------------------------------------------
    def _list_chose(self, generation: int, index: int) -> None:
        """The candidate list changed: another take shown, or a candidate clicked."""
        if self._showing:
            return
        doc = self.document
        if generation != doc.current_take and generation >= 0:
            doc.show_take(generation)
        if index >= 0:
            self.choose_candidate(index)

    def choose_candidate(self, index: int) -> None:
        """Pick a candidate of the take on show; audition it from where play is."""
        before = self.document.pick
        self.document.pick_candidate(index)
        if self.document.pick != before and self.actions.play.isChecked():
            self.start_playback(self.audition.position_beats())

    def pick_and_play(self, index: int) -> None:
        """Keys 1-9, ] and [: choose that candidate and hear it."""
        if not 0 <= index < len(self.document.candidates):
            return
        self.choose_candidate(index)
        if not self.actions.play.isChecked():
            self.actions.play.setChecked(True)

    def step_candidate(self, step: int) -> None:
        pick = self.document.pick
        current = pick[1] if pick and pick[0] == self.document.current_take else -1
        count = len(self.document.candidates)
        if count:
            self.pick_and_play(max(0, min(count - 1, current + step)))
