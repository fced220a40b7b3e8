"""The lineup: cartoon suspects drawn with integer geometry.

Each drawing function returns a ``uint8`` array of shape ``FACE_SHAPE``
(100 rows, 73 columns): a head-and-shoulders portrait on its own backdrop.
The names are invented.  ``lineup()`` returns every suspect in a fixed order.
"""
import numpy as np

from .shapes import ellipse, line, paint, rectangle, ring, triangle

FACE_SHAPE = (100, 73)
S = FACE_SHAPE


def _canvas(backdrop):
    return np.full(FACE_SHAPE, backdrop, dtype=np.uint8)


def _eyes(img, row, gap, radius, value=20):
    for col in (36 - gap, 36 + gap):
        paint(img, ellipse(S, (row, col), (radius, radius)), value)


def _smile(img, center, radii, thickness, value=30):
    arc = ring(S, center, radii, thickness) & (np.arange(100)[:, None] > center[0])
    paint(img, arc, value)


def barnaby_quill():
    """Bald, round face, round glasses and a bushy moustache."""
    img = _canvas(205)
    paint(img, rectangle(S, (88, 8), (100, 65)), 70)                 # jacket
    paint(img, ellipse(S, (52, 36), (33, 28)), 175)                   # round bald head
    paint(img, ellipse(S, (52, 8), (7, 4)) | ellipse(S, (52, 64), (7, 4)), 160)  # ears
    for col in (24, 48):
        paint(img, ring(S, (46, col), (9, 9), 2), 10)                 # glasses
    paint(img, line(S, (46, 33), (46, 39), 1), 10)                    # bridge
    _eyes(img, 46, 12, 2)
    paint(img, ellipse(S, (66, 36), (5, 16)), 40)                     # moustache
    paint(img, line(S, (75, 31), (75, 41), 1), 60)                    # mouth
    return img


def odette_fenwick():
    """Long dark hair down to the shoulders, narrow face, wide smile."""
    img = _canvas(235)
    paint(img, rectangle(S, (30, 10), (100, 63)) | ellipse(S, (38, 36), (32, 27)), 25)  # hair
    paint(img, ellipse(S, (50, 36), (27, 17)), 200)                   # narrow face
    paint(img, ellipse(S, (26, 40), (8, 18)), 25)                     # fringe
    paint(img, line(S, (40, 24), (38, 32), 1) | line(S, (38, 40), (40, 48), 1), 40)  # brows
    _eyes(img, 45, 8, 2)
    _smile(img, (57, 36), (12, 11), 3, 50)
    return img


def rufus_tallow():
    """Tall top hat, full dark beard, small eyes."""
    img = _canvas(120)
    paint(img, ellipse(S, (58, 36), (27, 21)), 215)                   # face
    paint(img, ellipse(S, (70, 36), (22, 22)) & (np.arange(100)[:, None] > 58), 30)  # beard
    paint(img, ellipse(S, (74, 36), (4, 8)), 190)                     # lips in the beard
    paint(img, rectangle(S, (0, 18), (32, 55)), 15)                   # hat crown
    paint(img, rectangle(S, (28, 8), (35, 65)), 15)                   # hat brim
    paint(img, rectangle(S, (24, 18), (28, 55)), 235)                 # hat band
    _eyes(img, 47, 9, 2)
    paint(img, line(S, (42, 22), (42, 31), 1) | line(S, (42, 41), (42, 50), 1), 40)  # brows
    return img


def mirela_stroud():
    """Big curly hair, darker skin, toothy grin."""
    img = _canvas(230)
    for row, col in [(14, 16), (10, 30), (9, 44), (14, 57), (26, 10), (26, 63),
                     (40, 8), (40, 65), (54, 9), (54, 64), (20, 36), (24, 24), (24, 48)]:
        paint(img, ellipse(S, (row, col), (11, 11)), 45)              # curls
    paint(img, ellipse(S, (52, 36), (30, 22)), 105)                   # face
    _eyes(img, 45, 9, 3, 15)
    paint(img, ellipse(S, (66, 36), (7, 13)) & (np.arange(100)[:, None] >= 63), 250)  # teeth
    paint(img, rectangle(S, (88, 14), (100, 59)), 170)                # light shirt
    return img


def casimir_pold():
    """Square jaw, flat-top hair, a thick unibrow and a frown."""
    img = _canvas(60)
    paint(img, rectangle(S, (20, 12), (82, 61)), 185)                 # square face
    paint(img, rectangle(S, (8, 12), (24, 61)), 100)                  # flat top
    paint(img, rectangle(S, (38, 18), (43, 55)), 30)                  # unibrow
    _eyes(img, 49, 10, 3, 25)
    paint(img, rectangle(S, (55, 33), (64, 40)), 150)                 # nose
    arc = ring(S, (76, 36), (8, 12), 3) & (np.arange(100)[:, None] < 76)
    paint(img, arc, 40)                                               # frown
    paint(img, rectangle(S, (82, 28), (100, 45)), 185)                # neck
    return img


def hattie_vane():
    """Hair bun on top, pointed chin, big square glasses, small round mouth."""
    img = _canvas(150)
    paint(img, ellipse(S, (12, 36), (10, 12)), 245)                   # bun
    paint(img, ellipse(S, (38, 36), (20, 26)), 245)                   # hair
    paint(img, triangle(S, (34, 12), (34, 60), (92, 36)), 205)        # pointed face
    paint(img, ellipse(S, (38, 36), (12, 24)), 205)
    for col in (24, 48):
        outer = rectangle(S, (40, col - 10), (54, col + 10))
        inner = rectangle(S, (43, col - 7), (51, col + 7))
        paint(img, outer & ~inner, 0)                                 # square glasses
    _eyes(img, 47, 12, 2)
    paint(img, ring(S, (70, 36), (4, 4), 2), 40)                      # "o" mouth
    return img


def desmond_orrin():
    """Peaked cap, goatee, surprised open mouth."""
    img = _canvas(210)
    paint(img, ellipse(S, (56, 36), (30, 23)), 160)                   # face
    paint(img, ellipse(S, (32, 36), (18, 25)) & (np.arange(100)[:, None] < 34), 35)  # cap
    paint(img, rectangle(S, (30, 6), (36, 72)), 35)                   # brim
    _eyes(img, 48, 10, 4, 15)
    paint(img, ellipse(S, (66, 36), (6, 5)), 20)                      # open mouth
    paint(img, triangle(S, (76, 28), (76, 44), (90, 36)), 50)         # goatee
    paint(img, rectangle(S, (92, 0), (100, 73)), 100)                 # collar
    return img


def otto_brisk():
    """Mohawk, eyepatch and a crooked zig-zag grin."""
    img = _canvas(90)
    paint(img, ellipse(S, (58, 36), (32, 22)), 225)                   # long face
    for col in range(26, 48, 5):
        paint(img, triangle(S, (30, col - 3), (30, col + 3), (4, col)), 20)  # mohawk spikes
    paint(img, ellipse(S, (47, 27), (6, 7)), 10)                      # eyepatch
    paint(img, line(S, (44, 20), (34, 52), 1), 10)                    # strap
    paint(img, ellipse(S, (47, 46), (3, 3)), 20)                      # eye
    for (r0, c0), (r1, c1) in [((72, 24), (68, 30)), ((68, 30), (73, 36)),
                               ((73, 36), (68, 42)), ((68, 42), (72, 48))]:
        paint(img, line(S, (r0, c0), (r1, c1), 1), 30)                # zig-zag grin
    return img


SUSPECTS = (
    ("Barnaby Quill", barnaby_quill),
    ("Odette Fenwick", odette_fenwick),
    ("Rufus Tallow", rufus_tallow),
    ("Mirela Stroud", mirela_stroud),
    ("Casimir Pold", casimir_pold),
    ("Hattie Vane", hattie_vane),
    ("Desmond Orrin", desmond_orrin),
    ("Otto Brisk", otto_brisk),
)


def lineup():
    """Draw every suspect.

    Returns
    -------
    list of (str, numpy.ndarray)
        ``(name, face)`` pairs in lineup order; each face is ``uint8`` with
        shape ``FACE_SHAPE``.
    """
    return [(name, draw()) for name, draw in SUSPECTS]
