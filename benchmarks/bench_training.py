"""Training throughput of our GAN and of DeepComposer's configuration, in the same run,
and inference time for 16 candidates of 8 bars.

One generator iteration = ``critic_steps`` critic updates with gradient penalty (lambda
10) plus one generator update, as both models train.  Throughput counts the samples the
generator update sees per second, and bars per second (our windows are 4 bars, theirs 2).
Usage: python benchmarks/bench_training.py [--iterations 3] [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from models.config import GanConfig
from models.critic import Critic
from models.encoding import N_CONDITION_FEATURES
from models.generator import Generator
from models.losses import gradient_penalty
from models.pianoroll import N_PITCHES
from models.train import straight_through_one_hot

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deepcomposer_reference import (  # noqa: E402
    NOISE,
    PITCHES,
    STEPS,
    TRACKS,
    ReferenceCritic,
    ReferenceGenerator,
)


def params(module) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


def ours_iteration(g, d, opt_g, opt_d, config):
    b, t = config.batch_size, config.window_bars * 16
    cond = torch.rand(b * config.critic_steps, N_CONDITION_FEATURES, t)
    with torch.no_grad():
        fakes = straight_through_one_hot(g(cond, torch.randn(g.noise_shape(len(cond), t))))
        fakes = fakes.permute(0, 1, 3, 2).reshape(len(cond), -1, t)
    real = (torch.rand(b, 3 * N_PITCHES, t) > 0.95).float()
    for s in range(config.critic_steps):
        c, f = cond[s * b : (s + 1) * b], fakes[s * b : (s + 1) * b]
        loss = d(c, f).mean() - d(c, real).mean() + 10 * gradient_penalty(d, c, real, f)
        opt_d.zero_grad()
        loss.backward()
        opt_d.step()
    k = config.candidates_per_melody
    c = cond[:b].repeat(k, 1, 1)
    logits = g(c, torch.randn(g.noise_shape(len(c), t)))
    fake = straight_through_one_hot(logits).permute(0, 1, 3, 2).reshape(len(c), -1, t)
    loss = -d(c, fake).mean() + logits.logsumexp(-1).mean()
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()


def reference_iteration(g, d, opt_g, opt_d, batch=64, critic_steps=5):
    melody = torch.rand(batch, 1, STEPS, PITCHES) * 2 - 1
    real = torch.rand(batch, TRACKS, STEPS, PITCHES) * 2 - 1
    for _ in range(critic_steps):
        with torch.no_grad():
            fake = g(melody, torch.randn(batch, NOISE))
        alpha = torch.rand(batch, 1, 1, 1)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(d(mixed).sum(), mixed, create_graph=True)
        gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        loss = d(fake).mean() - d(real).mean() + 10 * gp
        opt_d.zero_grad()
        loss.backward()
        opt_d.step()
    loss = -d(g(melody, torch.randn(batch, NOISE))).mean()
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()


def timed(step, iterations: int) -> float:
    step()  # warm-up
    started = time.perf_counter()
    for _ in range(iterations):
        step()
    return (time.perf_counter() - started) / iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = GanConfig()
    g, d = Generator(config), Critic(config)
    opt = lambda m: torch.optim.Adam(m.parameters(), 5e-4, betas=(0.5, 0.9))  # noqa: E731
    ours = timed(lambda: ours_iteration(g, d, opt(g), opt(d), config), args.iterations)
    rg, rd = ReferenceGenerator(), ReferenceCritic()
    ref = timed(lambda: reference_iteration(rg, rd, opt(rg), opt(rd)), args.iterations)

    ours_samples = config.batch_size / ours
    ref_samples = 64 / ref
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    columns = ("G params", "D params", "s/iteration", "samples/s", "bars/s")
    print(f"{'':<28}" + "".join(f"{c:>12}" for c in columns))
    for name, gm, dm, sec, samples, bars in (
        ("ours (4 bars, 64 pitches)", g, d, ours, ours_samples, config.window_bars),
        ("DeepComposer (2 bars, 128)", rg, rd, ref, ref_samples, 2),
    ):
        print(
            f"{name:<28}{params(gm):>11.2f}M{params(dm):>11.2f}M{sec:>12.2f}"
            f"{samples:>12.1f}{samples * bars:>12.1f}"
        )
    print(
        f"ratio (ours / DeepComposer): {ours_samples / ref_samples:.1f}x samples/s, "
        f"{ours_samples * config.window_bars / (ref_samples * 2):.1f}x bars/s"
    )

    g.eval()
    d.eval()
    t = 8 * 16
    cond = torch.rand(1, N_CONDITION_FEATURES, t)

    def infer():
        with torch.inference_mode():
            logits = g(cond.expand(16, -1, -1), torch.randn(g.noise_shape(16, t)))
            acc = straight_through_one_hot(logits).permute(0, 1, 3, 2).reshape(16, -1, t)
            d(cond.expand(16, -1, -1), acc)

    seconds = timed(infer, 20)
    print(f"inference, 16 candidates x 8 bars (generator + critic): {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
