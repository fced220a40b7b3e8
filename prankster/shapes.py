"""Integer-arithmetic drawing primitives.

Every function returns a boolean mask of shape ``(height, width)``; the
tests use only integer sums and products, so the masks are identical on
every machine.  Coordinates are ``(row, column)`` in pixels.
"""
import numpy as np


def _grid(height, width):
    rows = np.arange(height, dtype=np.int64)[:, None]
    cols = np.arange(width, dtype=np.int64)[None, :]
    return rows, cols


def ellipse(shape, center, radii):
    """Filled axis-aligned ellipse (radii extended by half a pixel).

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the mask.
    center : tuple of int
        ``(row, column)`` of the centre.
    radii : tuple of int
        ``(row_radius, column_radius)``, both positive.

    Returns
    -------
    numpy.ndarray of bool
    """
    rows, cols = _grid(*shape)
    (cy, cx), (ry, rx) = center, radii
    # Radii are taken half a pixel larger (all quantities doubled) for round outlines.
    ry2, rx2 = 2 * ry + 1, 2 * rx + 1
    return (2 * (rows - cy) * rx2) ** 2 + (2 * (cols - cx) * ry2) ** 2 <= (rx2 * ry2) ** 2


def ring(shape, center, radii, thickness):
    """Elliptical outline of the given thickness (inside the ellipse)."""
    ry, rx = radii
    inner = (max(ry - thickness, 1), max(rx - thickness, 1))
    return ellipse(shape, center, radii) & ~ellipse(shape, center, inner)


def rectangle(shape, top_left, bottom_right):
    """Filled rectangle; ``bottom_right`` is exclusive."""
    rows, cols = _grid(*shape)
    (y0, x0), (y1, x1) = top_left, bottom_right
    return (rows >= y0) & (rows < y1) & (cols >= x0) & (cols < x1)


def line(shape, start, end, radius):
    """Thick segment: all pixels within ``radius + 1/2`` of the segment.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the mask.
    start, end : tuple of int
        ``(row, column)`` end points.
    radius : int
        Half thickness in pixels.

    Returns
    -------
    numpy.ndarray of bool
    """
    rows, cols = _grid(*shape)
    (y0, x0), (y1, x1) = start, end
    dy, dx = y1 - y0, x1 - x0
    length2 = dy * dy + dx * dx
    py, px = rows - y0, cols - x0
    along = py * dy + px * dx
    cross = py * dx - px * dy
    reach2 = (2 * radius + 1) ** 2  # radius + 1/2, doubled, squared
    inside = (along >= 0) & (along <= length2) & (4 * cross ** 2 <= reach2 * length2)
    caps = ((4 * (py ** 2 + px ** 2) <= reach2)
            | (4 * ((rows - y1) ** 2 + (cols - x1) ** 2) <= reach2))
    return inside | caps


def triangle(shape, a, b, c):
    """Filled triangle with corners ``a``, ``b``, ``c`` given as ``(row, column)``."""
    rows, cols = _grid(*shape)

    def side(p, q):
        return (q[1] - p[1]) * (rows - p[0]) - (q[0] - p[0]) * (cols - p[1])

    s1, s2, s3 = side(a, b), side(b, c), side(c, a)
    return ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))


def paint(canvas, mask, value):
    """Set ``canvas[mask] = value`` in place and return the canvas."""
    canvas[mask] = value
    return canvas
