"""The lineup: cartoon suspects drawn with integer geometry, all from one template.

Each suspect is a ``uint8`` array of shape ``FACE_SHAPE`` (100 rows, 73 columns): a
mugshot on a plain backdrop. Every suspect has the same head, hair cap, ears and neck, and
the same features at the same heights: a fringe, an eyepatch and an open eye, a diamond
tattoo, a mouth, a mole and an earring. Suspects differ only in where each feature sits
*along its rows* (the fringe, eyepatch, tattoo, mole and earring on the left or on the
right; the mouth shifted).

Why one template: every photo shows the face at a random horizontal offset, so averaging
photos (or any other per-pixel statistic) blurs the face along its rows but keeps each row's
sum. If suspects differed by rows (a hat, a beard, glasses) the blurred average would still
name the prankster; here they all have the same row sums (the template is symmetric about
the middle column and each feature is only moved or mirrored within its rows), so only a
sharp face, as EM recovers it, tells them apart. The names are invented. ``lineup()``
returns every suspect in a fixed order.
"""
import numpy as np

from .shapes import ellipse, paint, rectangle, triangle

FACE_SHAPE = (100, 73)
S = FACE_SHAPE
MIDDLE = 36  # the template is symmetric about this column

# Grey levels. The shared template is kept pale and low in contrast (backdrop, skin, cap and
# collar close to each other) and the features dark: most of a picture's variance is then in
# where the features are, which is what tells suspects apart.
BACKDROP, SKIN, CAP, SHIRT, HAIR, DARK = 235, 225, 190, 200, 20, 10


def _mirror(col):
    return 2 * MIDDLE - col


def _template():
    """The head, hair cap, ears, neck and collar that every suspect shares."""
    img = np.full(FACE_SHAPE, BACKDROP, dtype=np.uint8)
    paint(img, rectangle(S, (46, 28), (62, 45)), SKIN)                        # neck
    paint(img, rectangle(S, (58, 18), (64, 55)), SHIRT)                       # collar
    paint(img, ellipse(S, (28, 15), (5, 3)) | ellipse(S, (28, 57), (5, 3)), SKIN - 15)  # ears
    paint(img, ellipse(S, (28, MIDDLE), (24, 20)), SKIN)                      # head
    head = ellipse(S, (28, MIDDLE), (24, 20))
    paint(img, head & (np.arange(100)[:, None] < 13), CAP)                   # hair cap
    return img


def suspect(fringe, patch, tattoo, mouth, mole, earring):
    """Draw one suspect of the template.

    Every feature is drawn on the left or, mirrored about ``MIDDLE``, on the right; the mouth
    is shifted along its rows. Features never overlap, so every suspect has the same number
    of pixels of each value in each row as every other.

    Parameters
    ----------
    fringe : {-1, 1}
        Side of the dark fringe (rows 13-19): -1 left, 1 right, as seen in the picture.
    patch : {-1, 1}
        Eye covered by a dark eyepatch (rows 23-31); the other eye is open.
    tattoo : {-1, 1}
        Cheek with a dark diamond tattoo (rows 32-44).
    mouth : int
        Column shift of the mouth from the middle (rows 46-48).
    mole : {-1, 1}
        Side of the chin with a mole (rows 50-52).
    earring : {-1, 1}
        Ear with a big dark earring (rows 35-47).

    Returns
    -------
    numpy.ndarray
        ``uint8`` of shape ``FACE_SHAPE``.
    """
    img = _template()

    def side(col, sign):
        return col if sign < 0 else _mirror(col)

    left, right = sorted((side(20, fringe), side(35, fringe)))
    paint(img, rectangle(S, (13, left), (20, right + 1)), HAIR)              # fringe
    paint(img, ellipse(S, (27, side(MIDDLE - 10, patch)), (4, 9)), DARK)      # eyepatch
    paint(img, ellipse(S, (27, side(MIDDLE - 10, -patch)), (2, 2)), DARK)     # open eye
    col = side(MIDDLE - 10, tattoo)
    paint(img, triangle(S, (32, col), (38, col - 9), (38, col + 9))
          | triangle(S, (44, col), (38, col - 9), (38, col + 9)), DARK)       # tattoo
    paint(img, rectangle(S, (46, MIDDLE + mouth - 6), (49, MIDDLE + mouth + 7)), 70)  # mouth
    paint(img, ellipse(S, (51, side(MIDDLE - 5, mole)), (1, 1)), DARK)        # mole
    paint(img, ellipse(S, (41, side(13, earring)), (6, 4)), DARK)             # earring
    return img


#: name -> (fringe, patch, tattoo, mouth, mole, earring), see ``suspect``.
FEATURES = {
    "Barnaby Quill": (-1, -1, -1, 0, -1, 1),
    "Odette Fenwick": (-1, 1, 1, -4, 1, 1),
    "Rufus Tallow": (1, -1, 1, 4, 1, 1),
    "Mirela Stroud": (1, 1, -1, 0, -1, 1),
    "Casimir Pold": (-1, 1, -1, 4, 1, -1),
    "Hattie Vane": (1, -1, -1, -4, 1, -1),
    "Desmond Orrin": (1, 1, 1, -4, -1, -1),
    "Otto Brisk": (-1, -1, 1, 4, -1, -1),
}

SUSPECTS = tuple((name, lambda f=f: suspect(*f)) for name, f in FEATURES.items())


def lineup():
    """Draw every suspect.

    Returns
    -------
    list of (str, numpy.ndarray)
        ``(name, face)`` pairs in lineup order; each face is ``uint8`` with
        shape ``FACE_SHAPE``.
    """
    return [(name, draw()) for name, draw in SUSPECTS]


SIDES = {-1: "left", 1: "right"}


def describe(name):
    """One suspect's features in words, left and right as seen in the lineup's picture.

    Parameters
    ----------
    name : str
        A name of ``FEATURES``.

    Returns
    -------
    str
        ``"Barnaby Quill: fringe on the left, eyepatch over the left eye, ..."``.
    """
    fringe, patch, tattoo, mouth, mole, earring = FEATURES[name]
    placed = "in the middle" if mouth == 0 else f"a little to the {SIDES[1 if mouth > 0 else -1]}"
    return (f"{name}: fringe on the {SIDES[fringe]}, eyepatch over the {SIDES[patch]} eye, "
            f"diamond tattoo on the {SIDES[tattoo]} cheek, mouth {placed}, mole on the "
            f"{SIDES[mole]} of the chin, dark earring on the {SIDES[earring]} ear")


def lineup_description():
    """The lineup's picture in words (``prankster/generate_data.py`` draws it): the alt text of
    its image in the notebook, which ``python -m prankster.answers`` writes there.

    Returns
    -------
    str
        One line, with no square brackets (it goes inside markdown's ``![...]``).
    """
    return (f"The lineup: {len(FEATURES)} cartoon suspects side by side, each with their name "
            "above the picture. All have the same pale head with a grey cap, ears, neck and "
            "collar, and one open eye; they differ only in where their features sit. Left to "
            "right, left and right as seen in the picture: "
            + "; ".join(f"{i}. {describe(name)}" for i, name in enumerate(FEATURES, start=1)) + ".")
