"""The background photo: a living-room wall with the hidden message.

``draw_scene`` paints a plain wall with a clock, a framed picture, a
skirting board and floorboards, and writes the message on the wall in
large block letters from ``lettering``.
"""
import numpy as np

from .lettering import render
from .shapes import ellipse, line, paint, rectangle, ring, triangle

SCENE_SHAPE = (100, 200)
S = SCENE_SHAPE

WALL, INK = 200, 20
TEXT_TOP, TEXT_BOTTOM, TEXT_WIDTH, LINE_GAP = 8, 80, 184, 6


def _line_scale(text, max_scale=5):
    width = render(text).shape[1]
    return max(1, min(max_scale, TEXT_WIDTH // width))


def draw_scene(message):
    """Draw the background with ``message`` written on the wall.

    Parameters
    ----------
    message : sequence of str
        Lines of the message, top to bottom; each line is scaled up as far
        as it fits (at most 5x), and the block is centred on the wall.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``SCENE_SHAPE``.

    Raises
    ------
    ValueError
        If the message does not fit on the wall.
    """
    img = np.full(SCENE_SHAPE, WALL, dtype=np.uint8)
    paint(img, rectangle(S, (0, 0), (4, 200)), 120)                    # cornice
    paint(img, rectangle(S, (84, 0), (89, 200)), 240)                  # skirting board
    paint(img, rectangle(S, (89, 0), (100, 200)), 95)                  # floor
    for col in range(12, 200, 25):
        paint(img, rectangle(S, (89, col), (100, col + 2)), 70)        # floorboard joints
    paint(img, ring(S, (58, 18), (13, 13), 3), 60)                     # wall clock
    paint(img, line(S, (58, 18), (50, 18), 1) | line(S, (58, 18), (62, 24), 1), 60)
    paint(img, rectangle(S, (44, 168), (74, 194)), 60)                 # picture frame
    paint(img, rectangle(S, (47, 171), (71, 191)), 225)
    paint(img, triangle(S, (52, 181), (70, 172), (70, 190)), 110)      # a mountain
    paint(img, ellipse(S, (54, 186), (2, 2)), 130)                     # and its sun

    masks = [render(text, _line_scale(text)) for text in message]
    height = sum(m.shape[0] for m in masks) + LINE_GAP * (len(masks) - 1)
    if height > TEXT_BOTTOM - TEXT_TOP:
        raise ValueError("message does not fit on the wall")
    top = TEXT_TOP + (TEXT_BOTTOM - TEXT_TOP - height) // 2
    for mask in masks:
        h, w = mask.shape
        left = (SCENE_SHAPE[1] - w) // 2
        region = img[top:top + h, left:left + w]
        region[mask] = INK
        top += h + LINE_GAP
    return img
