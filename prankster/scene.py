"""The background photo (the living-room wall) and the placard the prankster holds.

``draw_scene`` paints the wall: a banner of the game night in big dark letters, a clock, a
framed picture, a skirting board and floorboards. All of it is in the same place in every
photo, and none of it is an answer; its strong, irregular structure lets EM pin down the
background (and so where the face is) from random starts. The hidden message is on a placard
that the prankster holds under their chin (``hold_placard``): it moves with the face, so a
per-pixel statistic of the photos (mean, median, ...) smears its letters along the rows, and
only the face as EM recovers it shows them. The lineup's pictures show no placard.
"""
import numpy as np

from .lettering import render
from .shapes import ellipse, line, paint, rectangle, ring, triangle

SCENE_SHAPE = (100, 200)
S = SCENE_SHAPE

WALL = 200
#: The banner on the wall: lines of big dark letters, ``BANNER_SCALE`` times the font, from
#: row ``BANNER_TOP``. Not an answer: it is there for EM to pin the background down.
BANNER, BANNER_SCALE, BANNER_TOP, BANNER_INK = ("GAME", "NIGHT"), 4, 10, 20
#: The placard in the face's coordinates: rows ``PLACARD_ROWS``, columns ``PLACARD_COLS``
#: (ends exclusive); a dark grey board in a black frame, black letters at most ``PLACARD_SCALE``
#: times the font. The board is much darker than the face above it and the wall around it:
#: that large dark block helps EM find the face's offset from a random start.
PLACARD_ROWS, PLACARD_COLS, PLACARD_SCALE, LINE_GAP = (52, 100), (4, 69), 2, 1
FRAME = 2  # width of the placard's dark frame
BOARD, INK = 90, 0


def draw_scene():
    """Draw the background: the wall, its banner and furniture, the same in every photo.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``SCENE_SHAPE``.
    """
    img = np.full(SCENE_SHAPE, WALL, dtype=np.uint8)
    top = BANNER_TOP
    for text in BANNER:                                                # banner, centred
        mask = render(text, BANNER_SCALE)
        h, w = mask.shape
        left = (SCENE_SHAPE[1] - w) // 2
        img[top:top + h, left:left + w][mask] = BANNER_INK
        top += h + 6
    paint(img, rectangle(S, (0, 0), (4, 200)), 150)                    # cornice
    paint(img, rectangle(S, (84, 0), (89, 200)), 240)                  # skirting board
    paint(img, rectangle(S, (89, 0), (100, 200)), 120)                 # floor
    for col in range(12, 200, 25):
        paint(img, rectangle(S, (89, col), (100, col + 2)), 40)        # floorboard joints
    paint(img, ellipse(S, (58, 18), (13, 13)), 230)                    # wall clock
    paint(img, ring(S, (58, 18), (13, 13), 3), 20)
    paint(img, line(S, (58, 18), (50, 18), 1) | line(S, (58, 18), (62, 24), 1), 20)
    paint(img, rectangle(S, (44, 168), (74, 194)), 20)                 # picture frame
    paint(img, rectangle(S, (47, 171), (71, 191)), 225)
    paint(img, triangle(S, (52, 181), (70, 172), (70, 190)), 110)      # a mountain
    paint(img, ellipse(S, (54, 186), (2, 2)), 130)                     # and its sun
    return img


def hold_placard(face, message):
    """The face holding a placard with ``message`` written on it.

    Parameters
    ----------
    face : numpy.ndarray
        ``uint8`` picture of shape ``(100, 73)`` (a suspect from the lineup).
    message : sequence of str
        Lines of the message, top to bottom; each line is scaled up as far as it fits the
        board's width (at most ``PLACARD_SCALE`` times), and the block is centred on the board.

    Returns
    -------
    picture : numpy.ndarray
        ``uint8``, shape ``(100, 73)``: ``face`` with the placard over its lower part.
    ink : numpy.ndarray of bool
        Shape ``(100, 73)``: where the letters are.

    Raises
    ------
    ValueError
        If the message does not fit on the placard.
    """
    (top, bottom), (left, right) = PLACARD_ROWS, PLACARD_COLS
    picture = face.copy()
    picture[top:bottom, left:right] = INK
    picture[top + FRAME:bottom - FRAME, left + FRAME:right - FRAME] = BOARD
    widths = [render(text).shape[1] for text in message]
    masks = [render(text, max(1, min(PLACARD_SCALE, (right - left - 2 * FRAME) // w)))
             for text, w in zip(message, widths)]
    height = sum(m.shape[0] for m in masks) + LINE_GAP * (len(masks) - 1)
    inside = (bottom - top - 2 * FRAME, right - left - 2 * FRAME)
    if height > inside[0] or max(m.shape[1] for m in masks) > inside[1]:
        raise ValueError("message does not fit on the placard")
    ink = np.zeros(face.shape, dtype=bool)
    row = top + (bottom - top - height + 1) // 2
    for mask in masks:
        h, w = mask.shape
        col = left + (right - left - w) // 2
        ink[row:row + h, col:col + w] = mask
        row += h + LINE_GAP
    picture[ink] = INK
    return picture, ink
