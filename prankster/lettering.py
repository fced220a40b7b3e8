"""A tiny hand-drawn 5x7 block font for the hidden message.

Each glyph is seven rows of five cells, ``#`` for ink and ``.`` for paper.
Rendering is pure integer indexing, so the letters come out identical on
every machine and need no system fonts.
"""
import numpy as np

GLYPH_HEIGHT, GLYPH_WIDTH = 7, 5

GLYPHS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    " ": "..... ..... ..... ..... ..... ..... .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    "!": "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
    "-": "..... ..... ..... .###. ..... ..... .....",
    "'": "..#.. ..#.. .#... ..... ..... ..... .....",
}


def glyph(char):
    """Boolean ``(7, 5)`` bitmap of one character (case-insensitive).

    Raises
    ------
    KeyError
        If the font has no glyph for ``char``.
    """
    rows = GLYPHS[char.upper()].split()
    return np.array([[cell == "#" for cell in row] for row in rows], dtype=bool)


def render(text, scale=1, spacing=1):
    """Render one line of text as a boolean ink mask.

    Parameters
    ----------
    text : str
        Characters from ``GLYPHS`` (letters are upper-cased).
    scale : int, optional
        Integer magnification; every font cell becomes a ``scale x scale`` block.
    spacing : int, optional
        Blank font cells between neighbouring glyphs.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(7 * scale, (len(text) * (5 + spacing) - spacing) * scale)``.
    """
    gap = np.zeros((GLYPH_HEIGHT, spacing), dtype=bool)
    pieces = []
    for i, char in enumerate(text):
        if i:
            pieces.append(gap)
        pieces.append(glyph(char))
    mask = np.hstack(pieces)
    return np.kron(mask, np.ones((scale, scale), dtype=bool))
