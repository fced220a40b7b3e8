"""Generate the noisy photos, the suspects' lineup and the answer key.

Model (the one the students fit with EM): every photo ``X_k`` of shape
``(H, W)`` shows the background ``B`` with the prankster's face ``F`` of
width ``w`` pasted over columns ``d_k, ..., d_k + w - 1``, where the offset
``d_k`` is drawn from a prior ``a`` over the ``W - w + 1`` positions, plus
i.i.d. Gaussian noise of standard deviation ``NOISE_SD``.  Pixels are then
rounded and clipped to ``[0, 255]`` and stored as ``uint8``.

Usage::

    python -m prankster.generate_data --out-dir DIR [--truth PATH] [--lineup PATH]
"""
import argparse
import os

import numpy as np

from .scene import SCENE_SHAPE, draw_scene, hold_placard
from .secret import MESSAGE, PRANKSTER, SEED
from .suspects import FACE_SHAPE, lineup

N_IMAGES = 1000
#: Noise level: about 63% of the stored pixels end up clipped at 0 or 255, yet EM with the
#: seed's schedule recovers the face from random starts (correlation 0.96-0.98 from starts 0-2
#: and from 9 of the starts 0-9; start 3 ends in a shifted face).
NOISE_SD = 250.0
#: Bumps of the offset prior as ``(centre, half-width, weight)``: one broad bump over every
#: offset (2.7 times as likely in the middle as at the ends), so that averaging the photos
#: smears the placard's letters (and the face) over a wide range of offsets.
PRIOR_BUMPS = ((64, 80, 1),)


def offset_prior(n_offsets=SCENE_SHAPE[1] - FACE_SHAPE[1] + 1, bumps=PRIOR_BUMPS):
    """Prior over face offsets: a mixture of parabolic bumps on a small floor.

    Parameters
    ----------
    n_offsets : int, optional
        Number of possible offsets, ``W - w + 1``.
    bumps : sequence of (int, int, int), optional
        ``(centre, half_width, weight)`` of each bump.

    Returns
    -------
    numpy.ndarray
        Probabilities of shape ``(n_offsets,)``, all positive, summing to one.
    """
    d = np.arange(n_offsets, dtype=np.int64)
    mass = np.full(n_offsets, 100, dtype=np.int64)
    for centre, half_width, weight in bumps:
        mass += weight * np.maximum(0, half_width ** 2 - (d - centre) ** 2)
    return mass / mass.sum()


def make_dataset(seed=SEED, n_images=N_IMAGES, noise_sd=NOISE_SD, prankster=PRANKSTER):
    """Simulate the prankster photos.

    Parameters
    ----------
    seed : int, optional
        Seed of ``numpy.random.default_rng``; offsets are drawn first, then
        the noise image by image.
    n_images : int, optional
        Number of photos ``K``.
    noise_sd : float, optional
        Standard deviation of the Gaussian noise before clipping.
    prankster : str, optional
        Name of the suspect in the photos (the tests put an innocent there, with the same
        offsets and noise, to measure what the photos show without the prankster).

    Returns
    -------
    dict
        ``data`` (``uint8``, shape ``(H, W, K)``), ``face``, ``background``,
        ``offsets``, ``prior``, ``noise_sd``, ``prankster`` (lineup index),
        ``names``, ``faces`` (all suspects, shape ``(n, 100, 73)``, as in the lineup),
        ``message`` and ``message_ink`` (where its letters are in ``face``, bool
        ``(100, 73)``); ``face`` is the prankster holding the placard.
    """
    names, faces = zip(*lineup())
    prankster = names.index(prankster)
    face, ink = hold_placard(faces[prankster], MESSAGE)
    face = face.astype(float)
    background = draw_scene().astype(float)
    prior = offset_prior()
    width = FACE_SHAPE[1]

    rng = np.random.default_rng(seed)
    offsets = rng.choice(prior.size, size=n_images, p=prior)
    data = np.empty(SCENE_SHAPE + (n_images,), dtype=np.uint8)
    for k, d in enumerate(offsets):
        clean = background.copy()
        clean[:, d:d + width] = face
        noisy = clean + noise_sd * rng.standard_normal(SCENE_SHAPE)
        data[:, :, k] = np.clip(np.rint(noisy), 0, 255)
    return {
        "data": data,
        "face": face,
        "background": background,
        "offsets": offsets,
        "prior": prior,
        "noise_sd": float(noise_sd),
        "prankster": prankster,
        "names": np.array(names),
        "faces": np.array(faces),
        "message": "\n".join(MESSAGE),
        "message_ink": ink,
    }


def save_lineup(path, names, faces):
    """Save all suspects side by side, each titled with its name, as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(faces), figsize=(2 * len(faces), 3))
    for ax, name, face in zip(axes, names, faces):
        ax.imshow(face, cmap="gray", vmin=0, vmax=255)
        ax.set_title(name, fontsize=11)  # on one line, as a student types it
        ax.axis("off")
    fig.savefig(path, dpi=80, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", default=".", help="folder for data_em.npy")
    parser.add_argument("--truth", help="instructor-only answer key (.npz)")
    parser.add_argument("--lineup", help="lineup picture (.png)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    dataset = make_dataset(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    np.save(os.path.join(args.out_dir, "data_em.npy"), dataset["data"])
    if args.truth:
        truth = {key: value for key, value in dataset.items() if key != "data"}
        np.savez_compressed(args.truth, **truth)
    if args.lineup:
        save_lineup(args.lineup, dataset["names"], dataset["faces"])


if __name__ == "__main__":
    main()
