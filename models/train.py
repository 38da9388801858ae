"""Training: one loop that reads top to bottom, resumable, seeded, CPU or CUDA, or torchrun.

Each generator iteration: ``critic_steps`` critic updates on fresh batches (Wasserstein
loss with gradient penalty by default), then one generator update with the adversarial
loss plus a best-of-k reconstruction term.  The shipped generator is an exponential
moving average of the trained one.  Everything is logged to ``run_dir/log.csv`` (and to
TensorBoard when it is installed); checkpoints go to ``run_dir/checkpoint.*`` atomically,
and Ctrl-C saves one before exiting.

Data parallel training uses torch.distributed directly: every process draws its own
batches, gradients are averaged with all_reduce before each optimiser step, and rank 0
logs and saves.  (Gradients are averaged by hand rather than by DistributedDataParallel
because the gradient penalty differentiates the critic twice, which DDP's reducer does
not follow.)  ``torchrun --nproc_per_node N -m composer_gui.cli train ...`` runs the same
command on one machine or many; gloo on CPU, NCCL on CUDA.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from models import losses, train_samples
from models.checkpoint import (
    START_FIELDS,
    new_card,
    read_card,
    read_checkpoint_card,
    read_tensors,
    save_checkpoint_files,
    training_iterations,
)
from models.config import GanConfig
from models.critic import Critic
from models.errors import ModelFileError
from models.fine_tune import clear_prepared, prepare_fine_tune, prepared
from models.generator import Generator
from models.run_log import append_log, truncate_log
from models.train_data import (  # noqa: F401  (WindowSampler & co. are imported from here)
    WindowSampler,
    config_for,
    straight_through_one_hot,
    to_tensors,
    training_data,
)
from models.train_devices import (
    average_gradients,
    broadcast_parameters,
    hardware_description,
    init_world,
    mixed_precision,
    pick_device,
)

# --- Checkpoints ----------------------------------------------------------------------


def _optimizer_tensors(prefix: str, optimizer: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    tensors = {}
    for index, state in optimizer.state_dict()["state"].items():
        for key, value in state.items():
            tensors[f"{prefix}.{index}.{key}"] = torch.as_tensor(value)
    return tensors


def _restore_optimizer(prefix, optimizer, tensors, param_groups) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
        if name.startswith(prefix + "."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": param_groups})


def save_checkpoint(run_dir: Path, parts: dict, card: dict) -> None:
    tensors = {}
    for name in ("generator", "critic", "ema"):
        tensors.update({f"{name}.{k}": v for k, v in parts[name].state_dict().items()})
    tensors.update(_optimizer_tensors("opt_g", parts["opt_g"]))
    tensors.update(_optimizer_tensors("opt_d", parts["opt_d"]))
    tensors["rng.torch"] = torch.get_rng_state()
    card = dict(card)
    card["optimizers"] = {
        "opt_g": parts["opt_g"].state_dict()["param_groups"],
        "opt_d": parts["opt_d"].state_dict()["param_groups"],
    }
    card["numpy_rng"] = parts["rng"].bit_generator.state
    save_checkpoint_files(tensors, card, Path(run_dir) / "checkpoint")


def load_checkpoint(run_dir: Path, parts: dict) -> dict:
    """Restore ``parts`` from the checkpoint; its card is the one inside the weights."""
    stem = Path(run_dir) / "checkpoint"
    try:
        card = read_checkpoint_card(stem)
        tensors = read_tensors(stem)
    except ModelFileError as error:
        reason = str(error).rstrip(".")
        raise ModelFileError(
            f"The checkpoint in {run_dir} cannot be resumed ({reason}); start a new run "
            "(Start in the Train window, or train without --resume)."
        ) from None
    for name in ("generator", "critic", "ema"):
        prefix = name + "."
        parts[name].load_state_dict(
            {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        )
    _restore_optimizer("opt_g", parts["opt_g"], tensors, card["optimizers"]["opt_g"])
    _restore_optimizer("opt_d", parts["opt_d"], tensors, card["optimizers"]["opt_d"])
    torch.set_rng_state(tensors["rng.torch"])
    parts["rng"].bit_generator.state = card["numpy_rng"]
    return card


def _initialize_from(model_path: Path, generator, critic, ema) -> None:
    """Copy a model file's weights (an old-encoding file widened) into fresh modules."""
    from models.checkpoint import load_model

    trained_generator, trained_critic, _ = load_model(model_path)
    generator.load_state_dict(trained_generator.state_dict())
    ema.load_state_dict(trained_generator.state_dict())
    state = {k: v for k, v in trained_critic.state_dict().items() if not k.startswith("bar_head.")}
    critic.load_state_dict(state)


# --- The loop -------------------------------------------------------------------------


def train(
    config: GanConfig,
    data_dir: Path,
    run_dir: Path,
    device_name: str = "auto",
    resume: bool = False,
    log_every: int = 10,
    eval_every: int = 250,
    checkpoint_every: int = 250,
    progress: Callable[[int, int, dict], None] | None = None,
    evaluate: Callable[[torch.nn.Module, int], dict] | None = None,
    init_from: Path | None = None,
    init_style: str = "",
) -> Path:
    """Train until ``config.iterations``; returns the run folder.

    ``init_from`` (a model file) fine-tunes: a fresh run starts from that model's
    generator (trained weights and EMA alike) and critic instead of random weights; a
    critic bar head in it is left out (the ranking stage adds one again). Band data in
    other tracks or styles than the model's is re-encoded into them first, in the run
    folder (``models.fine_tune``: one sentence says what changed); a style the model
    lacks gets a new style column, started from ``init_style``'s (or zero).

    ``evaluate(generator, iteration)`` (optional) returns quality metrics that are logged
    beside the losses; ``progress(iteration, total, row)`` drives a progress bar.
    """
    device = pick_device(device_name)
    world = init_world(device)
    run_dir = Path(run_dir)
    torch.manual_seed(config.seed + world.rank)
    rng = np.random.default_rng(config.seed + world.rank)

    resuming = resume and (run_dir / "checkpoint.json").is_file()
    if not resuming and world.main:
        clear_prepared(run_dir)  # a folder used again: an earlier fine-tune's data
        if init_from is not None:
            tune = prepare_fine_tune(init_from, config, data_dir, run_dir, init_style)
            if tune.sentence:
                print(tune.sentence, flush=True)
    if world.size > 1:  # the other ranks read what rank 0 fitted
        torch.distributed.barrier()
    data_dir, init_from, config = prepared(run_dir, data_dir, init_from, config)
    config = config_for(config, data_dir)  # a band dataset's tracks and styles
    data = training_data(data_dir, config, rng)  # chorale or band: models/train_data.py
    n_steps = config.window_bars * 16

    generator, critic = Generator(config).to(device), Critic(config).to(device)
    broadcast_parameters(generator, world)
    broadcast_parameters(critic, world)
    ema = copy.deepcopy(generator).eval().requires_grad_(False)
    if config.loss == "wgan-clip":  # the original WGAN used RMSprop; momentum destabilises it
        opt_d = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
        opt_g = torch.optim.RMSprop(generator.parameters(), lr=5e-5)
    else:
        opt_d = torch.optim.Adam(critic.parameters(), lr=config.lr_d, betas=config.betas)
        opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, betas=config.betas)
    parts = {
        "generator": generator,
        "critic": critic,
        "ema": ema,
        "opt_g": opt_g,
        "opt_d": opt_d,
        "rng": rng,
    }
    bf16 = mixed_precision(device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)

    start_iteration, elapsed_before = 0, 0.0
    card = None
    if resuming:
        card = load_checkpoint(run_dir, parts)
        start_iteration, elapsed_before = card["iteration"], card["seconds"]
        if world.main:  # rows logged after that checkpoint will be logged again
            truncate_log(run_dir / "log.csv", start_iteration)
    else:
        if init_from is not None:
            _initialize_from(init_from, generator, critic, ema)
        if world.main:
            run_dir.mkdir(parents=True, exist_ok=True)
            (run_dir / "log.csv").unlink(missing_ok=True)
    started_from = _started_from(init_from, card)
    if world.main:  # the config in effect from here on (a resumed run may change it)
        (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")

    writer = _tensorboard(run_dir) if world.main else None
    k = config.candidates_per_melody
    # The same for every loss, so runs compare fairly; none without the adversarial term
    # (reconstruction only), whose critic columns are then logged as NaN.
    adversarial = config.adversarial_weight > 0
    critic_steps = config.critic_steps if adversarial else 0
    nothing = torch.full((1,), math.nan, device=device)
    d_loss = gp = real_scores = fake_scores = nothing
    started = time.monotonic()
    row: dict = {}
    iteration = start_iteration

    def fake_accompaniment(cond, target, repeats):
        """``(logits, critic input)`` for ``target``'s samples; the critic sees the tracks
        the app would play."""
        shape = generator.noise_shape(cond.shape[0] * repeats, n_steps)
        noise = torch.randn(shape, device=device)
        logits = generator(cond.repeat(repeats, 1, 1), noise)
        return logits, data.fake(logits, target)

    negatives = config.critic_negatives

    def generator_step():
        """One generator update: fool the critic while the best of k candidates stays
        near the real music; ``(reconstruction, adversarial loss)``."""
        cond, target, _ = data.batch(config.batch_size, device)
        with autocast:
            logits, fake = fake_accompaniment(cond, target, k)
            recon = data.reconstruction(logits, target, k)
            g_loss = config.recon_weight * recon
            g_adv = nothing.squeeze()
            if adversarial:
                scores = critic(cond.repeat(k, 1, 1), fake).float()
                g_adv = losses.generator_loss(config.loss, scores)
                g_loss = g_loss + config.adversarial_weight * g_adv
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        average_gradients(generator, world)
        opt_g.step()
        with torch.no_grad():
            for e, p in zip(ema.parameters(), generator.parameters()):
                e.lerp_(p, 1 - config.ema_decay)
            for e, b in zip(ema.buffers(), generator.buffers()):
                e.copy_(b)
        return recon, g_adv

    def card_now(it: int) -> dict:
        return new_card(
            config,
            iteration=it,
            seconds=elapsed_before + time.monotonic() - started,
            data_manifest_hash=data.content_hash,
            hardware=hardware_description(device),
            device=str(device),
            precision="bf16 autocast" if bf16 else "fp32",
            world_size=world.size,
            **started_from,
        )

    stop = _StopRequest()
    completed = start_iteration
    try:
        for iteration in range(start_iteration + 1, config.iterations + 1):
            if stop.requested:
                break
            # Critic: maximise D(real) - D(fake) (or the BCE equivalent).  The generator
            # does not change during these steps, so all their fakes come from one pass.
            b = config.batch_size
            if adversarial:
                conds, targets, phases = data.batch(b * critic_steps, device)
                with torch.no_grad(), autocast:
                    _, fakes = fake_accompaniment(conds, targets, 1)
            for step in range(critic_steps):
                part = slice(step * b, (step + 1) * b)
                cond, real = conds[part], data.real(targets[part])
                fake = fakes[part].float()
                with autocast:  # scores in fp32: a bf16 mean would round the W-estimate
                    real_scores = critic(cond, real).float()
                    fake_scores = critic(cond, fake).float()
                    d_loss = losses.critic_loss(config.loss, real_scores, fake_scores)
                gp = torch.zeros((), device=device)
                if config.loss == "wgan-gp":
                    gp = losses.gradient_penalty(critic, cond, real, fake)
                if negatives > 0:
                    # Fakes are a mixture: the generator's, and spoiled real music.
                    spoiled = data.real(data.spoil(targets[part], phases[part], cond))
                    with autocast:
                        negative_scores = critic(cond, spoiled).float()
                        d_loss = (1 - negatives) * d_loss + negatives * losses.critic_loss(
                            config.loss, real_scores, negative_scores
                        )
                    if config.loss == "wgan-gp" and config.critic_negative_gp:
                        gp = (1 - negatives) * gp + negatives * losses.gradient_penalty(
                            critic, cond, real, spoiled
                        )
                if config.loss == "wgan-gp":
                    d_loss = d_loss + config.gp_lambda * gp
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                average_gradients(critic, world)
                opt_d.step()
                if config.loss == "wgan-clip":
                    losses.clip_weights(critic, config.clip_value)

            completed = iteration
            if config.critic_only:  # the generator and its EMA stay as they started
                recon = g_adv = nothing.squeeze()
            else:
                recon, g_adv = generator_step()
            if not world.main:
                continue
            if iteration % log_every == 0 or iteration == config.iterations:
                row = {
                    "iteration": iteration,
                    "seconds": round(elapsed_before + time.monotonic() - started, 2),
                    "critic_loss": float(d_loss.detach()),
                    "generator_loss": float(g_adv.detach()),
                    "wasserstein": float(
                        losses.wasserstein_estimate(real_scores, fake_scores).detach()
                    ),
                    "gradient_penalty": float(gp.detach()),
                    "reconstruction": float(recon.detach()),
                }
                if negatives > 0:
                    row["negative_gap"] = float(
                        losses.wasserstein_estimate(real_scores, negative_scores).detach()
                    )
                if evaluate and (iteration % eval_every == 0 or iteration == config.iterations):
                    row.update(evaluate(ema, iteration))
                append_log(run_dir / "log.csv", row)
                if writer:
                    for key, value in row.items():
                        if key != "iteration" and isinstance(value, float):
                            writer.add_scalar(key, value, iteration)
                if progress:
                    progress(iteration, config.iterations, row)
            train_samples.after_iteration(run_dir, data_dir, ema, iteration)
            if iteration % checkpoint_every == 0:
                save_checkpoint(run_dir, parts, card_now(iteration))
    finally:
        stop.restore()
        if writer:
            writer.close()
    if world.main:
        save_checkpoint(run_dir, parts, card_now(completed))
    if stop.requested:
        raise KeyboardInterrupt
    return run_dir


def _started_from(init_from: Path | None, resumed: dict | None) -> dict:
    """What a fine-tune's card says of its start (``START_FIELDS``): carried from the
    checkpoint's card on resume (the Train window resumes without ``--init-from``), else
    read from ``init_from``'s card: its name and ``training_iterations``."""
    if resumed is not None and resumed.get("initialized_from"):
        return {key: resumed[key] for key in START_FIELDS if key in resumed}
    if init_from is None:
        return {}
    had = training_iterations(read_card(init_from))
    return {"initialized_from": Path(init_from).name} | (
        {"initialized_from_iterations": had} if had is not None else {}
    )


class _StopRequest:
    """Ctrl-C asks the loop to stop after the current iteration.

    The handler only sets a flag: a KeyboardInterrupt raised wherever the signal lands
    can end up inside a finalizer or a callback that swallows it, and training goes on.
    A second Ctrl-C interrupts at once.  SIGTERM (CTRL_BREAK on Windows) asks the same:
    it is how the app's Train window pauses a run (composer_gui/core/training_run.py).
    """

    def __init__(self) -> None:
        import signal
        import threading

        self.requested = False
        self._previous = {}
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
                if hasattr(signal, name):
                    number = getattr(signal, name)
                    self._previous[number] = signal.signal(number, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def restore(self) -> None:
        import signal

        for number, previous in self._previous.items():
            if previous is not None:
                signal.signal(number, previous)
        self._previous = {}


def _tensorboard(run_dir: Path):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # TensorBoard is optional; the CSV log is always written
        return None
    return SummaryWriter(str(run_dir / "tensorboard"))
